using System.Diagnostics;

namespace Fleet.IntegrationTests.Compose;

/// <summary>
/// Runs the Debian package's docker-compose (v1.29) as the reference. Keeps stdout apart from stderr,
/// unlike <see cref="Infrastructure.ExternalProcess"/>, because stdout is the YAML we read back.
/// </summary>
internal static class DockerComposeCli
{
    public static async Task<string> ConfigAsync(
        string directory, string[] files, string projectName, IReadOnlyDictionary<string, string> variables, string[] profiles, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("docker-compose")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--log-level", "ERROR", "-p", projectName, .. files.SelectMany(f => new[] { "-f", f }), .. profiles.SelectMany(p => new[] { "--profile", p }), "config"])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in variables)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"docker-compose config failed ({process.ExitCode}): {await error}");
        return await output;
    }
}
