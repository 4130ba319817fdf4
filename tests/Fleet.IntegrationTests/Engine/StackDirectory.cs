using System.Collections.Immutable;
using Fleet.Compose;
using Fleet.Compose.Model;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Engine;

/// <summary>A compose file in a temporary directory of its own, loaded as Fleet loads it or run with docker-compose 1.29.</summary>
internal sealed class StackDirectory : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-stack-").FullName;

    public StackDirectory(string text) => File.WriteAllText(FilePath, text);

    public string FilePath => Path.Combine(_directory, "compose.yaml");

    public ComposeProject Load(string project, IDictionary<string, string>? variables = null)
    {
        var loaded = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [new ComposeFile(FilePath)],
            ProjectName = project,
            Environment = (variables ?? new Dictionary<string, string>()).ToImmutableDictionary(),
        });
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));
        return loaded.Project!;
    }

    /// <summary>Runs <c>docker-compose -p PROJECT -f FILE COMMAND...</c> with the variables in its environment.</summary>
    public Task<(int ExitCode, string Output)> ComposeAsync(string project, IDictionary<string, string>? variables, params string[] command)
    {
        var exports = string.Join(' ', (variables ?? new Dictionary<string, string>()).Select(e => $"{e.Key}={e.Value}"));
        return ExternalProcess.RunAsync("sh", TimeSpan.FromSeconds(120), "-c", $"env {exports} docker-compose -p {project} -f {FilePath} {string.Join(' ', command)}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
