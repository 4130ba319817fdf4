namespace Fleet.Agent.Tests;

/// <summary>A data directory of a test's own, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("fleet-agent-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
