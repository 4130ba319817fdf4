namespace Fleet.Agent.Docker.Images;

/// <summary>
/// An image reference split the way the engine splits it: the registry host decides which
/// credentials apply, and a pull must name the tag explicitly (an empty tag pulls every tag).
/// </summary>
public sealed record ImageReference(string Registry, string Repository, string Tag)
{
    /// <summary>The host Docker Hub images live on, as the Docker config file keys it.</summary>
    public const string DockerHub = "docker.io";

    public bool IsDigest => Tag.StartsWith("sha256:", StringComparison.Ordinal);

    public static ImageReference Parse(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var name = reference;
        var tag = "latest";
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            tag = name[(at + 1)..];
            name = name[..at];
        }
        else
        {
            var colon = name.LastIndexOf(':');
            if (colon > name.LastIndexOf('/'))
            {
                tag = name[(colon + 1)..];
                name = name[..colon];
            }
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? string.Empty : name[..slash];
        var hasRegistry = first.Length > 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
        return hasRegistry
            ? new ImageReference(first, name, tag)
            : new ImageReference(DockerHub, name, tag);
    }

    public override string ToString() => IsDigest ? $"{Repository}@{Tag}" : $"{Repository}:{Tag}";
}
