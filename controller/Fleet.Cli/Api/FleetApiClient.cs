using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fleet.Protocol.Api;

namespace Fleet.Cli.Api;

/// <summary>
/// The controller's REST API (docs/api.md) as methods: the one place that adds the operator token, and
/// that turns every failure (unreachable, 401, 404, refusals) into an <see cref="ApiFailure"/> value.
/// </summary>
internal sealed class FleetApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _hasToken;

    public FleetApiClient(Uri controller, string? token, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(controller);
        Controller = controller;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = controller;
        _http.Timeout = TimeSpan.FromSeconds(100);
        _hasToken = !string.IsNullOrEmpty(token);
        if (_hasToken)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Controller { get; }

    private static ApiJsonContext Json => ApiJsonContext.Default;

    public Task<ApiResult<TokenInfo>> CreateTokenAsync(TokenCreateRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/tokens", Body(request, Json.TokenCreateRequest), Json.TokenInfo, cancellationToken);

    public Task<ApiResult<IReadOnlyList<DeviceSummary>>> ListDevicesAsync(string? selector, string? status, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/devices" + Query(("selector", selector), ("status", status)), null, Json.IReadOnlyListDeviceSummary, cancellationToken);

    public Task<ApiResult<DeviceDetail>> GetDeviceAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/devices/{Segment(id)}", null, Json.DeviceDetail, cancellationToken);

    public Task<ApiResult<DeviceSummary>> UpdateLabelsAsync(string id, LabelUpdate update, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, $"api/v1/devices/{Segment(id)}/labels", Body(update, Json.LabelUpdate), Json.DeviceSummary, cancellationToken);

    public Task<ApiResult<NoContent>> RemoveDeviceAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<NoContent>(HttpMethod.Delete, $"api/v1/devices/{Segment(id)}", null, null, cancellationToken);

    public Task<ApiResult<LogsResponse>> GetLogsAsync(
        string device, string service, string? stack, int? tail, TimeSpan? since, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Get,
            $"api/v1/devices/{Segment(device)}/logs" + Query(
                ("service", service),
                ("stack", stack),
                ("tail", tail?.ToString(CultureInfo.InvariantCulture)),
                ("since", since is { } s ? ((long)s.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null)),
            null,
            Json.LogsResponse,
            cancellationToken);

    public Task<ApiResult<StackVersionInfo>> PushStackAsync(string name, StackPushRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/stacks/{Segment(name)}/versions", Body(request, Json.StackPushRequest), Json.StackVersionInfo, cancellationToken);

    public Task<ApiResult<IReadOnlyList<StackSummary>>> ListStacksAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/stacks", null, Json.IReadOnlyListStackSummary, cancellationToken);

    public Task<ApiResult<IReadOnlyList<StackVersionInfo>>> ListStackVersionsAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/stacks/{Segment(name)}", null, Json.IReadOnlyListStackVersionInfo, cancellationToken);

    /// <summary>One version with its compose text; a null version asks for the latest.</summary>
    public Task<ApiResult<StackVersionInfo>> GetStackVersionAsync(string name, int? version, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Get,
            $"api/v1/stacks/{Segment(name)}/versions/{version?.ToString(CultureInfo.InvariantCulture) ?? "latest"}",
            null,
            Json.StackVersionInfo,
            cancellationToken);

    public Task<ApiResult<RolloutInfo>> StartRolloutAsync(RolloutRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/rollouts", Body(request, Json.RolloutRequest), Json.RolloutInfo, cancellationToken);

    public Task<ApiResult<IReadOnlyList<RolloutInfo>>> ListRolloutsAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/rollouts?devices=false", null, Json.IReadOnlyListRolloutInfo, cancellationToken);

    public Task<ApiResult<RolloutInfo>> GetRolloutAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/rollouts/{Segment(id)}?devices=false", null, Json.RolloutInfo, cancellationToken);

    /// <summary><paramref name="action"/>: pause, resume, abort or rollback.</summary>
    public Task<ApiResult<RolloutInfo>> ActOnRolloutAsync(string id, string action, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/rollouts/{Segment(id)}/{action}", null, Json.RolloutInfo, cancellationToken);

    public Task<ApiResult<KeysInfo>> GetKeysAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/keys", null, Json.KeysInfo, cancellationToken);

    public Task<ApiResult<KeysInfo>> CreatePendingKeyAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/keys/pending", null, Json.KeysInfo, cancellationToken);

    public Task<ApiResult<KeysInfo>> InstallCertificateAsync(KeyInstallRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/keys/certificates", Body(request, Json.KeyInstallRequest), Json.KeysInfo, cancellationToken);

    public Task<ApiResult<KeysInfo>> RevokeAsync(RevocationRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/keys/revocations", Body(request, Json.RevocationRequest), Json.KeysInfo, cancellationToken);

    public Task<ApiResult<BundleResponse>> SignBundleAsync(BundleRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/bundles", Body(request, Json.BundleRequest), Json.BundleResponse, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static JsonContent Body<T>(T value, JsonTypeInfo<T> typeInfo) => JsonContent.Create(value, typeInfo);

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return present.Length == 0 ? "" : "?" + string.Join('&', present);
    }

    private async Task<ApiResult<T>> SendAsync<T>(
        HttpMethod method, string path, HttpContent? body, JsonTypeInfo<T>? answer, CancellationToken cancellationToken)
        where T : class
    {
        var route = $"{method} /{path.Split('?')[0]}";
        using var request = new HttpRequestMessage(method, path) { Content = body };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return ApiResult<T>.Failed(ApiErrors.FromTransport(ex, Controller));
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var text = await ReadTextAsync(response, cancellationToken).ConfigureAwait(false);
                return ApiResult<T>.Failed(ApiErrors.FromAnswer(status, text, route, _hasToken));
            }

            if (answer is null)
            {
                return ApiResult<T>.Success((T)(object)NoContent.Instance, status);
            }

            try
            {
                var value = await response.Content.ReadFromJsonAsync(answer, cancellationToken).ConfigureAwait(false);
                return value is null
                    ? ApiResult<T>.Failed(ApiErrors.FromBadBody(route, "an empty body"))
                    : ApiResult<T>.Success(value, status);
            }
            catch (JsonException ex)
            {
                return ApiResult<T>.Failed(ApiErrors.FromBadBody(route, ex.Message.Split('\n')[0]));
            }
            catch (HttpRequestException ex)
            {
                return ApiResult<T>.Failed(ApiErrors.FromTransport(ex, Controller));
            }
        }
    }

    private static async Task<string?> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
