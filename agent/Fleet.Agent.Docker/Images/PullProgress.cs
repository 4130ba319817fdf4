namespace Fleet.Agent.Docker.Images;

/// <summary>One progress report of a pull: a layer's status and, while bytes move, how many.</summary>
/// <param name="Image">The image reference being pulled.</param>
/// <param name="Layer">The layer id the engine reports, or empty for image-wide messages.</param>
/// <param name="Status">The engine's status text (Downloading, Extracting, Pull complete, ...).</param>
/// <param name="Current">Bytes done in this status, when the engine counts them.</param>
/// <param name="Total">Bytes in all, when the engine knows.</param>
public sealed record PullProgress(string Image, string Layer, string Status, long? Current, long? Total);
