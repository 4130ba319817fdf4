using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Fleet.Protocol.Api;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.IntegrationTests.Controller;

/// <summary>
/// A test's side of a real controller's REST API, whether the controller runs in this process
/// (<see cref="RunningController"/>) or as its own (<see cref="ControllerProcess"/>).
/// <see cref="InitKeysAsync"/> does what <c>fleet keys init</c> does with an offline root.
/// </summary>
internal abstract class ControllerClient : IAsyncDisposable
{
    /// <summary>The offline root, with the key id derived from its public key: the agent pins the root as PEM, which carries no kid.</summary>
    public SigningKey Root { get; } = SigningKey.Generate();

    public HttpClient Http { get; protected set; } = new();

    /// <summary>Where the REST API listens.</summary>
    public abstract Uri ApiUri { get; }

    public abstract int MqttPort { get; }

    /// <summary>FLEET_CONTROLLER and FLEET_TOKEN for the <c>fleet</c> console.</summary>
    public IReadOnlyDictionary<string, string> ConsoleEnvironment => new Dictionary<string, string>
    {
        ["FLEET_CONTROLLER"] = ApiUri.GetLeftPart(UriPartial.Authority),
        ["FLEET_TOKEN"] = Http.DefaultRequestHeaders.Authorization!.Parameter!,
    };

    /// <summary>Certifies the pending signing key with <see cref="Root"/>, as <c>fleet keys init</c> does; nothing when the root is already pinned (tests of a class share a controller).</summary>
    public async Task<KeysInfo> InitKeysAsync()
    {
        var keys = await GetAsync("/api/v1/keys", ApiJsonContext.Default.KeysInfo);
        if (keys is { Root: not null, Active: not null })
        {
            return keys;
        }

        var pending = keys.Pending!;
        var now = DateTimeOffset.UtcNow;
        var certificate = EnvelopeSigner.Sign(Root, ProtocolJson.Serialize(
            new KeyCertificate { Kid = pending.Kid, PublicKey = pending.PublicKey, NotBefore = now.AddMinutes(-1), NotAfter = now.AddYears(1), Serial = keys.LastSerial + 1 },
            ProtocolJsonContext.Default.KeyCertificate));
        return await PostAsync("/api/v1/keys/certificates", new KeyInstallRequest { Root = Root.PublicKey, Certificate = certificate }, ApiJsonContext.Default.KeyInstallRequest, ApiJsonContext.Default.KeysInfo);
    }

    public async Task<string> CreateTokenAsync(int uses = 1, params (string Key, string Value)[] labels)
    {
        var created = await PostAsync(
            "/api/v1/tokens",
            new TokenCreateRequest { Uses = uses, Labels = labels.ToDictionary(l => l.Key, l => l.Value) },
            ApiJsonContext.Default.TokenCreateRequest,
            ApiJsonContext.Default.TokenInfo);
        return created.Token!;
    }

    public async Task<EnrollmentResponse> EnrollAsync(string deviceId, params (string Key, string Value)[] labels)
    {
        var token = await CreateTokenAsync();
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/enroll", new EnrollmentRequest { Token = token, DeviceId = deviceId }, ApiJsonContext.Default.EnrollmentRequest);
        await ExpectAsync(response, HttpStatusCode.OK);
        var enrolled = (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.EnrollmentResponse))!;
        if (labels.Length > 0)
        {
            using var patched = await SendAsync(HttpMethod.Patch, $"/api/v1/devices/{deviceId}/labels", new LabelUpdate { Set = labels.ToDictionary(l => l.Key, l => l.Value) }, ApiJsonContext.Default.LabelUpdate);
            await ExpectAsync(patched, HttpStatusCode.OK);
        }

        return enrolled;
    }

    public async Task<StackVersionInfo> PushStackAsync(string name, string compose)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/stacks/{name}/versions", Stack(compose), ApiJsonContext.Default.StackPushRequest);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.StackVersionInfo))!;
    }

    public static StackPushRequest Stack(string compose) => new() { Files = [new StackFile { Name = "compose.yaml", Content = compose }] };

    public async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(type))!;
    }

    public async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType)
    {
        using var response = await SendAsync(HttpMethod.Post, path, body, requestType);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(responseType))!;
    }

    public Task<HttpResponseMessage> SendAsync<TRequest>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType) =>
        Http.SendAsync(new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body, requestType) });

    /// <summary>Asserts the status and, for errors, answers the ApiError body.</summary>
    public static async Task<ApiError?> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        return (int)status >= 400 ? System.Text.Json.JsonSerializer.Deserialize(text, ApiJsonContext.Default.ApiError) : null;
    }

    public abstract ValueTask DisposeAsync();
}
