using System.Collections;
using System.Collections.Immutable;
using System.CommandLine;
using Docker.DotNet;
using Fleet.Agent.Docker.Containers;
using Fleet.Agent.Docker.Engine;
using Fleet.Compose;
using Fleet.Compose.Model;

namespace Fleet.Agent.Commands;

/// <summary>
/// The options <c>apply</c> and <c>plan</c> share (<c>-f</c>, <c>-p</c>, <c>--env-file</c>, <c>--docker</c>),
/// and the loading of the stack they name, with errors as one line each.
/// </summary>
internal sealed class StackArguments
{
    public Option<string[]> Files { get; } = new("--file", "-f") { Description = "Compose file; repeat to merge several in order", Required = true };

    public Option<string?> ProjectName { get; } = new("--project-name", "-p") { Description = "Project name (default: the file's name:, else its directory's name)" };

    public Option<string?> EnvFile { get; } = new("--env-file") { Description = "Env file to use instead of .env beside the first file" };

    public Option<string?> Docker { get; } = DockerOption();

    public static Option<string?> DockerOption() => new("--docker") { Description = "Docker engine URI (default: DOCKER_HOST, else unix:///var/run/docker.sock)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Files);
        command.Options.Add(ProjectName);
        command.Options.Add(EnvFile);
        command.Options.Add(Docker);
    }

    /// <summary>Loads the stack; on errors writes each diagnostic as one line to stderr and returns null.</summary>
    public (ComposeProject Project, ProjectContext Context)? Load(ParseResult parse)
    {
        var files = (parse.GetValue(Files) ?? []).Select(Path.GetFullPath).ToImmutableArray();
        var result = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [.. files.Select(f => new ComposeFile(f))],
            ProjectName = parse.GetValue(ProjectName),
            EnvFile = parse.GetValue(EnvFile),
            Environment = ProcessEnvironment(),
        });
        foreach (var diagnostic in result.Diagnostics)
        {
            Console.Error.WriteLine(diagnostic.ToString());
        }

        return result.Project is { } project
            ? (project, new ProjectContext(Path.GetDirectoryName(files[0]) ?? string.Empty, files))
            : null;
    }

    /// <summary>Connects to the engine, or writes why not as one line and returns null.</summary>
    public static async Task<EngineConnection?> ConnectAsync(string? docker, CancellationToken cancellationToken)
    {
        try
        {
            return await DockerEngine.ConnectAsync(docker is { Length: > 0 } uri ? new Uri(uri) : null, cancellationToken);
        }
        catch (Exception ex) when (ex is EngineUnavailableException or UriFormatException)
        {
            Console.Error.WriteLine(ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Runs a command so that what can go wrong with the engine mid-way (it stops answering, refuses a
    /// call, Ctrl+C) ends as one line and an exit code, never a stack trace.
    /// </summary>
    public static async Task<int> GuardAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (DockerApiException ex)
        {
            Console.Error.WriteLine($"the Docker engine refused: {EngineErrors.Describe(ex)}");
            return 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or AggregateException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"the Docker engine stopped answering: {ex.GetBaseException().Message}");
            return 1;
        }
    }

    /// <summary>The process environment, for interpolation (shared by config, apply and plan).</summary>
    internal static ImmutableDictionary<string, string> ProcessEnvironment()
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                builder[key] = value;
            }
        }

        return builder.ToImmutable();
    }
}
