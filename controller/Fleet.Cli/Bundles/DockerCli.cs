using System.Diagnostics;

namespace Fleet.Cli.Bundles;

/// <summary>
/// The local engine through the <c>docker</c> command (<c>image inspect</c>, <c>save</c>): the console needs
/// two calls, not an engine client library, and it follows the operator's DOCKER_HOST and contexts.
/// </summary>
internal sealed class DockerCli(string executable = "docker")
{
    /// <summary>The image's ID (<c>sha256:...</c>), or null with the reason when the engine does not have it.</summary>
    public async Task<(string? ImageId, string? Error)> InspectIdAsync(string reference, CancellationToken cancellationToken)
    {
        var (exit, output, error) = await RunAsync(["image", "inspect", "--format", "{{.Id}}", reference], cancellationToken).ConfigureAwait(false);
        return exit == 0 && output.Trim() is { Length: > 0 } id
            ? (id, null)
            : (null, $"image {reference} is not in the local engine ({FirstLine(error)}); docker pull it first");
    }

    /// <summary>Writes the image as <c>docker save</c> does; null when done, otherwise why not.</summary>
    public async Task<string?> SaveAsync(string reference, string path, CancellationToken cancellationToken)
    {
        var (exit, _, error) = await RunAsync(["save", "--output", path, reference], cancellationToken).ConfigureAwait(false);
        return exit == 0 ? null : $"docker save {reference} failed: {FirstLine(error)}";
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, "", $"cannot run {executable}: {ex.Message}");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
    }

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var end = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? trimmed : trimmed[..end];
    }
}
