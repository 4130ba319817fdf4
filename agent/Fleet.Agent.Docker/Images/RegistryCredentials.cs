namespace Fleet.Agent.Docker.Images;

/// <summary>A login for one registry, from the Docker config file or handed over by the caller.</summary>
public sealed record RegistryCredentials(string Registry, string Username, string Password)
{
    public override string ToString() => $"{Username}@{Registry}";
}
