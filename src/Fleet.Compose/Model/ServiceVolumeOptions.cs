namespace Fleet.Compose.Model;

/// <summary>The <c>volume:</c> block of a long-syntax mount.</summary>
public sealed record ServiceVolumeOptions
{
    public bool NoCopy { get; init; }

    public string? Subpath { get; init; }
}
