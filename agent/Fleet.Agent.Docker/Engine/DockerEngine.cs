using Docker.DotNet;
using VersionResponse = Docker.DotNet.Models.VersionResponse;

namespace Fleet.Agent.Docker.Engine;

/// <summary>
/// Connects to a Docker engine with the API version pinned to what both sides speak.
/// Docker.DotNet.Enhanced sends unversioned requests by default, which a newer engine
/// answers with its newest API: field shapes would then drift from what Fleet expects.
/// </summary>
public static class DockerEngine
{
    /// <summary>Docker Engine 20.10 (Debian 12's docker.io) speaks 1.41; older engines are refused.</summary>
    public static readonly Version MinimumApiVersion = new(1, 41);

    /// <summary>The newest API whose shapes Fleet has been tested against.</summary>
    public static readonly Version MaximumApiVersion = new(1, 47);

    public static Uri DefaultEndpoint =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host
            ? new Uri(host)
            : new Uri("unix:///var/run/docker.sock");

    /// <summary>Probes <c>/version</c> and returns a client pinned to the negotiated API version.</summary>
    /// <exception cref="EngineUnavailableException">The engine does not answer, or its API is too old.</exception>
    public static async Task<EngineConnection> ConnectAsync(Uri? endpoint, CancellationToken cancellationToken)
    {
        endpoint ??= DefaultEndpoint;
        VersionResponse version;
        using (var probe = new DockerClientBuilder().WithEndpoint(endpoint).WithTimeout(TimeSpan.FromSeconds(10)).Build())
        {
            try
            {
                version = await probe.System.GetVersionAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or DockerApiException or IOException or TimeoutException or AggregateException
                                       or System.Net.Sockets.SocketException or TaskCanceledException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                throw new EngineUnavailableException($"no Docker engine answers at {endpoint}: {ex.GetBaseException().Message}", ex);
            }
        }

        var negotiated = Negotiate(version.APIVersion, endpoint);
        var client = new DockerClientBuilder().WithEndpoint(endpoint).WithApiVersion(negotiated).Build();
        return new EngineConnection(client, endpoint, negotiated, version.Version ?? "unknown");
    }

    /// <summary>The newest API version both the engine and Fleet speak.</summary>
    public static Version Negotiate(string? engineApiVersion, Uri endpoint)
    {
        if (!Version.TryParse(engineApiVersion, out var engine))
        {
            throw new EngineUnavailableException($"the Docker engine at {endpoint} reported no usable API version ('{engineApiVersion}')");
        }

        if (engine < MinimumApiVersion)
        {
            throw new EngineUnavailableException(
                $"the Docker engine at {endpoint} speaks API {engine}, Fleet needs {MinimumApiVersion} (Docker Engine 20.10) or newer");
        }

        return engine < MaximumApiVersion ? engine : MaximumApiVersion;
    }
}
