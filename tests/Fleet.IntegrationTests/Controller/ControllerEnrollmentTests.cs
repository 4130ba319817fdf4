using System.Net;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Enrollment;

namespace Fleet.IntegrationTests.Controller;

/// <summary>POST /api/v1/enroll against the real controller and its embedded broker.</summary>
public sealed class ControllerEnrollmentTests : IAsyncLifetime
{
    private RunningController _controller = null!;

    public async Task InitializeAsync() => _controller = await RunningController.StartAsync();

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    [Fact]
    public async Task Enroll_BeforeTheRootIsInstalled_IsNotReady()
    {
        var token = await _controller.CreateTokenAsync();

        using var response = await EnrollAsync(token, "pi-1");

        var error = await RunningController.ExpectAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("not-ready", error!.Error);
    }

    [Fact]
    public async Task Enroll_TokenIsSingleUse_LabelsMerge_AndTheCredentialsOpenTheBroker()
    {
        await _controller.InitKeysAsync();
        var token = await _controller.CreateTokenAsync(1, ("site", "berlin"));

        using var first = await EnrollAsync(token, "pi-1", ("site", "paris"), ("tier", "canary"));
        using var second = await EnrollAsync(token, "pi-2");

        await RunningController.ExpectAsync(first, HttpStatusCode.OK);
        var enrolled = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(first.Content, ApiJsonContext.Default.EnrollmentResponse))!;
        Assert.Equal(new Dictionary<string, string> { ["site"] = "berlin", ["tier"] = "canary" }, enrolled.Labels);
        Assert.Equal(_controller.Root.Kid, enrolled.Root.Kid);
        Assert.Single(enrolled.Trust.Certificates);
        Assert.Equal(new Uri($"mqtt://127.0.0.1:{_controller.MqttPort}"), enrolled.Broker.Uri);
        Assert.Equal("unauthorized", (await RunningController.ExpectAsync(second, HttpStatusCode.Unauthorized))!.Error);
        using var device = await DeviceConnection.ConnectAsync(_controller.MqttPort, enrolled.Broker, "fleet/v1/dev/pi-1/trust");
        await Eventually.TrueAsync(() => device.Received.Any(m => m.Topic == "fleet/v1/dev/pi-1/trust"), TimeSpan.FromSeconds(10), "the trust documents are retained on the device's trust topic");
        var devices = await _controller.GetAsync("/api/v1/devices?selector=site=berlin", ApiJsonContext.Default.IReadOnlyListDeviceSummary);
        Assert.Equal(["pi-1"], devices.Select(d => d.Id));
    }

    [Fact]
    public async Task Enroll_AgainWithANewToken_ReplacesTheCredentials()
    {
        await _controller.InitKeysAsync();
        var old = await _controller.EnrollAsync("pi-1");

        var again = await _controller.EnrollAsync("pi-1");

        var (refused, code) = await DeviceConnection.TryConnectAsync(_controller.MqttPort, old.Broker);
        Assert.Null(refused);
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.BadUserNameOrPassword, code);
        using var connected = await DeviceConnection.ConnectAsync(_controller.MqttPort, again.Broker);
    }

    [Fact]
    public async Task Enroll_WithAnExpiredToken_IsUnauthorized()
    {
        await _controller.InitKeysAsync();
        var created = await _controller.PostAsync(
            "/api/v1/tokens", new TokenCreateRequest { Uses = 5, ExpiresInSeconds = 1 }, ApiJsonContext.Default.TokenCreateRequest, ApiJsonContext.Default.TokenInfo);
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > created.ExpiresAt.AddMilliseconds(100), TimeSpan.FromSeconds(5), "the token's lifetime is over");

        using var response = await EnrollAsync(created.Token!, "pi-1");

        await RunningController.ExpectAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("PI-1", "deviceId: device id 'PI-1' must start with a lowercase letter or a digit")]
    [InlineData("pi/1", "deviceId: device id 'pi/1' holds '/' at 2; allowed are a-z, 0-9, '.', '_' and '-'")]
    public async Task Enroll_WithABadDeviceId_NamesTheField_AndKeepsTheToken(string deviceId, string message)
    {
        await _controller.InitKeysAsync();
        var token = await _controller.CreateTokenAsync();

        using var refused = await EnrollAsync(token, deviceId);
        using var accepted = await EnrollAsync(token, "pi-1");

        Assert.Equal(message, (await RunningController.ExpectAsync(refused, HttpStatusCode.BadRequest))!.Message);
        await RunningController.ExpectAsync(accepted, HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> EnrollAsync(string token, string deviceId, params (string Key, string Value)[] labels) =>
        _controller.SendAsync(
            HttpMethod.Post,
            "/api/v1/enroll",
            new EnrollmentRequest { Token = token, DeviceId = deviceId, Labels = labels.ToDictionary(l => l.Key, l => l.Value) },
            ApiJsonContext.Default.EnrollmentRequest);
}
