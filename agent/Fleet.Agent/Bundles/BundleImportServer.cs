using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Fleet.Agent.Hosting;

namespace Fleet.Agent.Bundles;

/// <summary>
/// Lets <c>fleet-agent bundle import</c> hand a bundle to the running agent, which owns the database
/// (a second LiteDB writer would corrupt it): on <c>DIR/bundle.sock</c> (mode 0600) a client writes the
/// bundle's absolute path and a newline, the agent imports it and answers with one
/// <see cref="BundleImportResult"/> as JSON. A socket of its own, so <c>status</c>'s stays a plain read.
/// </summary>
public static class BundleImportServer
{
    public const string FileName = "bundle.sock";

    private const int MaxRequestBytes = 8192;

    public static async Task RunAsync(string dataDirectory, Func<string, CancellationToken, Task<BundleImportResult>> import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        var path = Path.Combine(dataDirectory, FileName);
        File.Delete(path); // left by a killed agent; the directory lock says this process owns it now
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(8);
        var running = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(cancellationToken);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(AnswerAsync(client, import, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            File.Delete(path);
        }

        await Task.WhenAll(running);
    }

    /// <summary>Hands <paramref name="bundlePath"/> to the agent running on <paramref name="dataDirectory"/>; null when none answers.</summary>
    public static async Task<BundleImportResult?> AskAsync(string dataDirectory, string bundlePath, CancellationToken cancellationToken)
    {
        using var socket = await LocalSocket.ConnectAsync(dataDirectory, FileName, cancellationToken);
        if (socket is null)
        {
            return null;
        }

        await socket.SendAsync(Encoding.UTF8.GetBytes(Path.GetFullPath(bundlePath) + "\n"), SocketFlags.None, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
        var answer = await LocalSocket.ReadToEndAsync(socket, int.MaxValue, cancellationToken);
        return answer.Length == 0 ? null : JsonSerializer.Deserialize(answer, AgentJsonContext.Default.BundleImportResult);
    }

    private static async Task AnswerAsync(Socket client, Func<string, CancellationToken, Task<BundleImportResult>> import, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                var request = Encoding.UTF8.GetString(await LocalSocket.ReadToEndAsync(client, MaxRequestBytes, cancellationToken)).TrimEnd('\n');
                var result = Path.IsPathFullyQualified(request) && !request.Contains('\n', StringComparison.Ordinal)
                    ? await import(request, cancellationToken)
                    : new BundleImportResult { Outcome = BundleImportOutcome.Rejected, Code = BundleImporter.Unreadable, Message = "the request is not an absolute path" };
                await client.SendAsync(JsonSerializer.SerializeToUtf8Bytes(result, AgentJsonContext.Default.BundleImportResult), SocketFlags.None, cancellationToken);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // The client went away, or the agent is stopping: the client sees no answer.
            }
        }
    }
}
