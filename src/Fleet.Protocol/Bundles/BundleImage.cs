namespace Fleet.Protocol.Bundles;

/// <summary>One image archive (<c>docker save</c> output) inside a bundle.</summary>
public sealed record BundleImage
{
    /// <summary>The image reference the compose file uses, e.g. <c>registry:5000/api:1.2</c>.</summary>
    public required string Reference { get; init; }

    /// <summary>The engine's image ID after loading (<c>sha256:...</c>); what the agent checks after <c>docker load</c>.</summary>
    public required string ImageId { get; init; }

    /// <summary>Path of the archive inside the bundle, under <see cref="BundleLayout.ImagesDirectory"/>.</summary>
    public required string File { get; init; }

    /// <summary>Lowercase hex SHA-256 of the archive bytes.</summary>
    public required string Sha256 { get; init; }

    public required long SizeBytes { get; init; }
}
