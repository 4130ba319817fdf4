using Fleet.Protocol.Bundles;

namespace Fleet.Protocol.Api;

/// <summary>
/// <c>POST /api/v1/bundles</c>: <c>fleet bundle create</c> saves the images locally, then asks the
/// controller to sign a desired state for <see cref="Target"/> (a fresh fleet-wide version) and the bundle
/// manifest over the images' digests. The controller never sees the image archives.
/// </summary>
public sealed record BundleRequest
{
    public required string Stack { get; init; }

    public int? Version { get; init; }

    public string Target { get; set; } = "";

    public long? AcceptForSeconds { get; init; }

    public IReadOnlyList<BundleImage> Images { get; set; } = [];
}
