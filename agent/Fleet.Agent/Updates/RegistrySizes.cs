using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Agent.Docker.Images;

namespace Fleet.Agent.Updates;

/// <summary>
/// How many bytes pulling an image downloads, as its registry tells it: the layer sizes of its manifest
/// (for the engine's platform) whose layers the engine does not have yet, compared by chain ID from the
/// image config's diff IDs, plus the config. Null when the registry cannot tell (unreachable, refusing,
/// a manifest of a kind it does not know): the reserve alone is then the margin. Read-only requests with
/// the same credentials a pull uses; nothing is downloaded but manifests and the config.
/// </summary>
public sealed class RegistrySizes(
    HttpClient http, ImmutableDictionary<string, RegistryCredentials> credentials, Func<string, bool> isInsecure, string architecture)
{
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ];

    /// <summary>
    /// Bytes to download for <paramref name="image"/>, given the chain IDs the engine has; the chain IDs of
    /// its layers are added to <paramref name="present"/>, so images that share layers count them once.
    /// </summary>
    public async Task<long?> DownloadBytesAsync(string image, ISet<string> present, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(present);
        var reference = ImageReference.Parse(image);
        var host = reference.Registry == ImageReference.DockerHub ? "registry-1.docker.io" : reference.Registry;
        var repository = reference.Registry == ImageReference.DockerHub
            ? (reference.Repository.Contains('/', StringComparison.Ordinal) ? reference.Repository : "library/" + reference.Repository)
            : reference.Repository[(reference.Registry.Length + 1)..];
        var baseUri = new Uri($"{(isInsecure(reference.Registry) ? "http" : "https")}://{host}/v2/{repository}/");
        var login = credentials.GetValueOrDefault(reference.Registry);
        try
        {
            using var manifest = await GetJsonAsync(new Uri(baseUri, $"manifests/{reference.Tag}"), repository, login, cancellationToken);
            var root = manifest.RootElement;
            if (root.TryGetProperty("manifests", out var platforms))
            {
                var digest = platforms.EnumerateArray()
                    .Where(m => m.TryGetProperty("platform", out var p)
                                && p.GetProperty("os").GetString() == "linux" && p.GetProperty("architecture").GetString() == architecture)
                    .Select(m => m.GetProperty("digest").GetString())
                    .FirstOrDefault();
                if (digest is null)
                {
                    return null;
                }

                using var platformManifest = await GetJsonAsync(new Uri(baseUri, $"manifests/{digest}"), repository, login, cancellationToken);
                return await SizeAsync(platformManifest.RootElement, baseUri, repository, login, present, cancellationToken);
            }

            return await SizeAsync(root, baseUri, repository, login, present, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException
                                       or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The chain ID of each layer of an image from its diff IDs, bottom first: what the engine stores layers by.</summary>
    public static IReadOnlyList<string> ChainIds(IReadOnlyList<string> diffIds)
    {
        ArgumentNullException.ThrowIfNull(diffIds);
        var chain = new List<string>(diffIds.Count);
        foreach (var diffId in diffIds)
        {
            chain.Add(chain.Count == 0
                ? diffId
                : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{chain[^1]} {diffId}"))));
        }

        return chain;
    }

    /// <summary>The bytes of the layers whose chain ID is not in <paramref name="present"/> (then added to it).</summary>
    public static long MissingBytes(IReadOnlyList<long> layerSizes, IReadOnlyList<string> diffIds, ISet<string> present)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        ArgumentNullException.ThrowIfNull(present);
        if (layerSizes.Count != diffIds.Count)
        {
            throw new InvalidOperationException($"the manifest has {layerSizes.Count} layers, the config {diffIds.Count} diff IDs");
        }

        var missing = 0L;
        var chain = ChainIds(diffIds);
        for (var i = 0; i < chain.Count; i++)
        {
            if (present.Add(chain[i]))
            {
                missing += layerSizes[i];
            }
        }

        return missing;
    }

    /// <summary>The engine's architecture (<c>docker info</c>) as manifests name it.</summary>
    public static string Architecture(string? engineArchitecture) => engineArchitecture switch
    {
        "x86_64" or "amd64" => "amd64",
        "aarch64" or "arm64" => "arm64",
        "armv7l" or "armhf" or "arm" => "arm",
        "i386" or "i686" => "386",
        { Length: > 0 } other => other,
        _ => "amd64",
    };

    private async Task<long?> SizeAsync(
        JsonElement manifest, Uri baseUri, string repository, RegistryCredentials? login, ISet<string> present, CancellationToken cancellationToken)
    {
        if (!manifest.TryGetProperty("layers", out var layers) || !manifest.TryGetProperty("config", out var config))
        {
            return null; // A schema 1 manifest, or something else: no sizes to trust.
        }

        using var configBlob = await GetJsonAsync(new Uri(baseUri, $"blobs/{config.GetProperty("digest").GetString()}"), repository, login, cancellationToken);
        var diffIds = configBlob.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()!).ToList();
        var sizes = layers.EnumerateArray().Select(l => l.GetProperty("size").GetInt64()).ToList();
        return config.GetProperty("size").GetInt64() + MissingBytes(sizes, diffIds, present);
    }

    /// <summary>GET with the registry's token dance: anonymous first, then Basic or a Bearer token from the realm it names.</summary>
    private async Task<JsonDocument> GetJsonAsync(Uri uri, string repository, RegistryCredentials? login, CancellationToken cancellationToken)
    {
        using var first = await SendAsync(uri, null, cancellationToken);
        if (first.StatusCode != HttpStatusCode.Unauthorized)
        {
            return await ReadAsync(first, cancellationToken);
        }

        var challenge = first.Headers.WwwAuthenticate.FirstOrDefault()
            ?? throw new HttpRequestException($"{uri.Host} answered 401 with no challenge");
        var basic = login is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.Username}:{login.Password}"));
        AuthenticationHeaderValue authorization;
        if (challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            var parameters = Parameters(challenge.Parameter ?? "");
            var realm = parameters.GetValueOrDefault("realm") ?? throw new HttpRequestException($"{uri.Host}: a Bearer challenge with no realm");
            var tokenUri = $"{realm}?service={Uri.EscapeDataString(parameters.GetValueOrDefault("service") ?? "")}&scope={Uri.EscapeDataString($"repository:{repository}:pull")}";
            using var tokenAnswer = await SendAsync(new Uri(tokenUri), basic is null ? null : new AuthenticationHeaderValue("Basic", basic), cancellationToken);
            using var token = await ReadAsync(tokenAnswer, cancellationToken);
            var value = token.RootElement.TryGetProperty("token", out var t) ? t.GetString() : token.RootElement.GetProperty("access_token").GetString();
            authorization = new AuthenticationHeaderValue("Bearer", value);
        }
        else
        {
            authorization = new AuthenticationHeaderValue("Basic", basic ?? throw new HttpRequestException($"{uri.Host} needs credentials"));
        }

        using var second = await SendAsync(uri, authorization, cancellationToken);
        return await ReadAsync(second, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        request.Headers.Authorization = authorization;
        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<JsonDocument> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
    }

    /// <summary><c>realm="https://auth",service="registry",scope="..."</c> as a map.</summary>
    private static Dictionary<string, string> Parameters(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].ToLowerInvariant(), p => p[1].Trim('"'), StringComparer.Ordinal);
}
