using Fleet.Controller.Rollouts;
using Fleet.Protocol.Api;

namespace Fleet.Controller.Tests.Rollouts;

/// <summary>Stack versions the test declares; <c>web</c> versions 1 to 3 unless told otherwise.</summary>
public sealed class FakeStackCatalog : IStackCatalog
{
    private readonly List<StackVersionInfo> _versions = [];

    public FakeStackCatalog(string stack = "web", int versions = 3)
    {
        for (var v = 1; v <= versions; v++)
        {
            Add(stack, v);
        }
    }

    public void Add(string stack, int version) => _versions.Add(new StackVersionInfo
    {
        Name = stack,
        Version = version,
        Digest = $"sha256:{stack}{version}",
        CreatedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
    });

    public StackVersionInfo? Find(string name, int? version) =>
        _versions.Where(v => v.Name == name && (version is null || v.Version == version))
            .MaxBy(v => v.Version);
}
