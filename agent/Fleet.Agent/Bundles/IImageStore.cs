namespace Fleet.Agent.Bundles;

/// <summary>The engine's image store, as a bundle import needs it (the I/O seam between the import and dockerd).</summary>
public interface IImageStore
{
    /// <summary>The image ID <paramref name="reference"/> names now, or null when the engine has no such image.</summary>
    Task<string?> ImageIdAsync(string reference, CancellationToken cancellationToken);

    /// <summary>Loads a <c>docker save</c> archive read from <paramref name="archive"/>; null, or the engine's reason for refusing it.</summary>
    Task<string?> LoadAsync(Stream archive, CancellationToken cancellationToken);

    /// <summary>Points <paramref name="reference"/> back at <paramref name="imageId"/>, or removes the tag when <paramref name="imageId"/> is null.</summary>
    Task RestoreTagAsync(string reference, string? imageId, CancellationToken cancellationToken);
}
