namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>A <see cref="DockerRegistry"/> that refuses anyone without the login in its htpasswd file.</summary>
public sealed class DockerRegistryWithLogin : DockerRegistry
{
    public DockerRegistryWithLogin()
        : base("fleet", $"pw-{Guid.NewGuid():N}")
    {
    }
}
