namespace Fleet.Agent.Docker.Images;

/// <summary>What a pull came to: the local image ID, or the reason it failed.</summary>
public sealed record PullResult(string Image, string? ImageId, string? Error)
{
    public bool Succeeded => Error is null;

    public static PullResult Pulled(string image, string imageId) => new(image, imageId, null);

    public static PullResult Failed(string image, string error) => new(image, null, error);
}
