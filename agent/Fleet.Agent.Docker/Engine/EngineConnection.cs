using Docker.DotNet;

namespace Fleet.Agent.Docker.Engine;

/// <summary>A Docker client pinned to a negotiated API version, with what the probe learned.</summary>
public sealed class EngineConnection(DockerClient client, Uri endpoint, Version apiVersion, string engineVersion) : IDisposable
{
    public DockerClient Client { get; } = client;

    public Uri Endpoint { get; } = endpoint;

    public Version ApiVersion { get; } = apiVersion;

    public string EngineVersion { get; } = engineVersion;

    public void Dispose() => Client.Dispose();
}
