using System.Net;
using System.Text.Json;
using Fleet.Protocol.Api;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.IntegrationTests.Controller;

/// <summary>The REST API's contract (docs/api.md) over HTTP: auth, errors, stacks, keys, OpenAPI.</summary>
public sealed class ControllerApiTests : IAsyncLifetime
{
    private RunningController _controller = null!;

    public async Task InitializeAsync() => _controller = await RunningController.StartAsync();

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    [Fact]
    public async Task Api_WithoutTheOperatorToken_IsUnauthorized_ButHealthAndMetricsAreOpen()
    {
        using var anonymous = new HttpClient { BaseAddress = _controller.Options.ApiUri };

        using var devices = await anonymous.GetAsync(new Uri("/api/v1/devices", UriKind.Relative));
        var health = await anonymous.GetStringAsync(new Uri("/healthz", UriKind.Relative));
        var metrics = await anonymous.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal("unauthorized", (await RunningController.ExpectAsync(devices, HttpStatusCode.Unauthorized))!.Error);
        Assert.Equal("ok\n", health);
        Assert.Contains("fleet_devices_online 0", metrics, StringComparison.Ordinal);
        Assert.Contains("fleet_mqtt_messages_out_total", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorToken_IsInTheDataDirectory_WithMode0600()
    {
        var path = Path.Combine(_controller.Options.DataDirectory, "operator-token");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(_controller.Http.DefaultRequestHeaders.Authorization!.Parameter, File.ReadAllText(path).Trim());
    }

    [Fact]
    public async Task StackPush_Invalid_Answers422WithTheLoadersFileAndLine_AndValidOnesCountUp()
    {
        using var refused = await _controller.SendAsync(HttpMethod.Post, "/api/v1/stacks/web/versions",
            RunningController.Stack("services:\n  web:\n    image: nginx\n    restart: sometimes\n"), ApiJsonContext.Default.StackPushRequest);
        var v1 = await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:1\n");
        var v2 = await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:2\n");
        var unchanged = await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:2\n");

        var error = (await RunningController.ExpectAsync(refused, HttpStatusCode.UnprocessableEntity))!;
        Assert.Equal("invalid-compose", error.Error);
        Assert.StartsWith("compose.yaml:4:", error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 2, 2), (v1.Version, v2.Version, unchanged.Version));
        var latest = await _controller.GetAsync("/api/v1/stacks/web/versions/latest", ApiJsonContext.Default.StackVersionInfo);
        Assert.Contains("nginx:2", latest.Compose, StringComparison.Ordinal);
        var versions = await _controller.GetAsync("/api/v1/stacks/web", ApiJsonContext.Default.IReadOnlyListStackVersionInfo);
        Assert.Equal([v1.Digest, v2.Digest], versions.Select(v => v.Digest));
    }

    [Fact]
    public async Task KeyInstall_SignedByAnotherRoot_IsRefused_AndTheRightOneActivatesThePendingKey()
    {
        var keys = await _controller.GetAsync("/api/v1/keys", ApiJsonContext.Default.KeysInfo);
        using var impostor = SigningKey.Generate("root-it");
        var now = DateTimeOffset.UtcNow;
        var forged = EnvelopeSigner.Sign(impostor, ProtocolJson.Serialize(
            new KeyCertificate { Kid = keys.Pending!.Kid, PublicKey = keys.Pending.PublicKey, NotBefore = now, NotAfter = now.AddDays(1), Serial = 1 },
            ProtocolJsonContext.Default.KeyCertificate));

        using var refused = await _controller.SendAsync(HttpMethod.Post, "/api/v1/keys/certificates",
            new KeyInstallRequest { Root = _controller.Root.PublicKey, Certificate = forged }, ApiJsonContext.Default.KeyInstallRequest);
        var installed = await _controller.InitKeysAsync();

        Assert.StartsWith("certificate: bad-signature", (await RunningController.ExpectAsync(refused, HttpStatusCode.BadRequest))!.Message, StringComparison.Ordinal);
        Assert.Equal(keys.Pending.Kid, installed.Active!.Kid);
        Assert.Equal(_controller.Root.Kid, installed.Root!.Kid);
        Assert.Equal(1, installed.LastSerial);
    }

    [Fact]
    public async Task BadInput_AnswersOneLineNamingTheField()
    {
        using var badJson = await _controller.Http.PostAsync(new Uri("/api/v1/tokens", UriKind.Relative), new StringContent("{\"uses\":\"many\"}", System.Text.Encoding.UTF8, "application/json"));
        using var badSelector = await _controller.Http.GetAsync(new Uri("/api/v1/devices?selector=site%3D", UriKind.Relative));
        using var badStatus = await _controller.Http.GetAsync(new Uri("/api/v1/devices?status=sleepy", UriKind.Relative));
        using var unknown = await _controller.Http.GetAsync(new Uri("/api/v1/devices/nope", UriKind.Relative));

        Assert.StartsWith("body: uses:", (await RunningController.ExpectAsync(badJson, HttpStatusCode.BadRequest))!.Message, StringComparison.Ordinal);
        Assert.StartsWith("selector: selector 'site=': at 5", (await RunningController.ExpectAsync(badSelector, HttpStatusCode.BadRequest))!.Message, StringComparison.Ordinal);
        Assert.Equal("status: 'sleepy' must be online, offline or failed", (await RunningController.ExpectAsync(badStatus, HttpStatusCode.BadRequest))!.Message);
        Assert.Equal("not-found", (await RunningController.ExpectAsync(unknown, HttpStatusCode.NotFound))!.Error);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryRouteOfTheContract()
    {
        using var document = JsonDocument.Parse(await _controller.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();

        foreach (var route in (string[])[
            "/api/v1/enroll", "/api/v1/tokens", "/api/v1/devices", "/api/v1/devices/{id}", "/api/v1/devices/{id}/labels",
            "/api/v1/devices/{id}/logs", "/api/v1/stacks", "/api/v1/stacks/{name}", "/api/v1/stacks/{name}/versions",
            "/api/v1/stacks/{name}/versions/{version}", "/api/v1/keys", "/api/v1/keys/pending", "/api/v1/keys/certificates",
            "/api/v1/keys/revocations", "/api/v1/bundles", "/healthz", "/metrics"])
        {
            Assert.Contains(route, paths);
        }

        Assert.True(document.RootElement.GetProperty("components").GetProperty("schemas").TryGetProperty("EnrollmentResponse", out _));
    }
}
