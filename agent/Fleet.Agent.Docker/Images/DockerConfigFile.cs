using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Fleet.Agent.Docker.Images;

/// <summary>
/// Reads the <c>auths</c> of the Docker CLI's config file (<c>$DOCKER_CONFIG/config.json</c>,
/// else <c>~/.docker/config.json</c>) so a device logged in with <c>docker login</c> needs
/// nothing else. Credential helpers are not run: they are programs, and the agent runs as a service.
/// </summary>
public static class DockerConfigFile
{
    public static string DefaultPath
    {
        get
        {
            var directory = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            if (string.IsNullOrEmpty(directory))
            {
                directory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
            }

            return Path.Combine(directory, "config.json");
        }
    }

    /// <summary>The credentials in the file, keyed by registry host; empty when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a Docker config file.</exception>
    public static ImmutableDictionary<string, RegistryCredentials> Load(string? path = null)
    {
        path ??= DefaultPath;
        if (!File.Exists(path))
        {
            return ImmutableDictionary<string, RegistryCredentials>.Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Parse(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a Docker config file: {ex.Message}", ex);
        }
    }

    private static ImmutableDictionary<string, RegistryCredentials> Parse(JsonElement root)
    {
        var result = ImmutableDictionary.CreateBuilder<string, RegistryCredentials>(StringComparer.OrdinalIgnoreCase);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
        {
            return result.ToImmutable();
        }

        foreach (var entry in auths.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Object || !entry.Value.TryGetProperty("auth", out var auth) || auth.GetString() is not { Length: > 0 } encoded)
            {
                continue;
            }

            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var registry = NormalizeRegistry(entry.Name);
            result[registry] = new RegistryCredentials(registry, decoded[..colon], decoded[(colon + 1)..]);
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// The CLI keys Docker Hub as <c>https://index.docker.io/v1/</c> and others as a bare host or a URL;
    /// reduce every form to the host an <see cref="ImageReference"/> names.
    /// </summary>
    public static string NormalizeRegistry(string key)
    {
        var host = key;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            host = host[..slash];
        }

        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? ImageReference.DockerHub : host;
    }
}
