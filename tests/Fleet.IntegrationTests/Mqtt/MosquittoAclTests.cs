using System.Text;
using Fleet.Controller.Broker;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Topics;
using MQTTnet;

namespace Fleet.IntegrationTests.Mqtt;

/// <summary>
/// Real mosquitto running deploy/mosquitto/mosquitto.conf with its ACL files and password files made
/// by the documented procedure: the same refusals as the embedded broker (EmbeddedBrokerTests), and
/// where mosquitto's ACL file works differently, what it does instead (deploy/mosquitto/README.md).
/// </summary>
public sealed class MosquittoAclTests : IAsyncLifetime
{
    private static readonly string[] Devices = ["pi-1", "pi-2"];
    private readonly MosquittoBroker _broker = new() { ConfigFile = Path.Combine(RepoPaths.Root, "deploy", "mosquitto", "mosquitto.conf") };
    private readonly Dictionary<string, string> _secrets = [];
    private readonly List<MqttProbe> _probes = [];

    // The config declares the device listener first, the controllers' second.
    private int DevicePort => _broker.ListenerPorts[0];

    private int ControllerPort => _broker.ListenerPorts[1];

    public async Task InitializeAsync()
    {
        foreach (var user in Devices.Append(CredentialTable.ControllerUserName))
        {
            _secrets[user] = DeviceSecret.Create();
        }

        await WritePasswordFileAsync("devices.passwd", Devices);
        await WritePasswordFileAsync("controllers.passwd", [CredentialTable.ControllerUserName]);
        await _broker.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var probe in _probes)
        {
            probe.Dispose();
        }

        await _broker.DisposeAsync();
    }

    // mosquitto refuses unknown credentials with "not authorized" (0x87), where the embedded
    // broker says "bad user name or password" (0x86).
    [Fact]
    public async Task Connect_WithWrongPassword_IsRefused()
    {
        var result = await TryConnectAsync(DevicePort, "pi-1", "pi-1", "not-the-secret");

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
    }

    [Fact]
    public async Task Connect_WithoutCredentials_IsRefused_OnBothListeners()
    {
        Assert.NotEqual(MqttClientConnectResultCode.Success, (await TryConnectAsync(DevicePort, "pi-1", null, null)).ResultCode);
        Assert.NotEqual(MqttClientConnectResultCode.Success, (await TryConnectAsync(ControllerPort, "anyone", null, null)).ResultCode);
    }

    [Fact]
    public async Task Connect_WithCredentialsOfTheOtherListener_IsRefused()
    {
        var controllerOnDevicePort = await TryConnectAsync(DevicePort, "ctl", CredentialTable.ControllerUserName, _secrets[CredentialTable.ControllerUserName]);
        var deviceOnControllerPort = await TryConnectAsync(ControllerPort, "pi-1", "pi-1", _secrets["pi-1"]);

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, controllerOnDevicePort.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, deviceOnControllerPort.ResultCode);
    }

    /// <summary>
    /// The embedded broker refuses a client id that is not the user name; mosquitto cannot, so the
    /// device listener replaces the client id with the user name (use_username_as_clientid): the
    /// connection runs as its own device, and the device whose id it named stays connected.
    /// </summary>
    [Theory]
    [InlineData("pi-2")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("fleet/v1/dev/pi-2/#")]
    public async Task Connect_WithAnotherClientId_RunsAsItsOwnDevice_AndCannotTakeOverAnotherDevicesSession(string clientId)
    {
        var real = await ConnectAsync(DevicePort, "pi-2");
        await real.SubscribeAsync(DeviceTopics.Desired("pi-2"));
        var controller = await ConnectAsync(ControllerPort, CredentialTable.ControllerUserName, "fleet-controller-it");
        await controller.PublishAsync(DeviceTopics.Desired("pi-2"), "for-pi-2"u8.ToArray(), retain: true);
        await controller.PublishAsync(DeviceTopics.Desired("pi-1"), "for-pi-1"u8.ToArray(), retain: true);

        var (impostor, result) = await MqttProbe.TryConnectAsync(DevicePort, clientId, "pi-1", _secrets["pi-1"]);
        Track((impostor, result));
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await impostor.SubscribeAsync(DeviceTopics.Desired("pi-2"));
        await impostor.SubscribeAsync(DeviceTopics.Desired("pi-1"));

        await Eventually.TrueAsync(() => impostor.TextsOn(DeviceTopics.Desired("pi-1")).Any(), TimeSpan.FromSeconds(5), "pi-1's own retained desired state reaches it");
        Assert.Empty(impostor.TextsOn(DeviceTopics.Desired("pi-2")));
        await controller.PublishAsync(DeviceTopics.Desired("pi-2"), "again-for-pi-2"u8.ToArray(), retain: true);
        await Eventually.TrueAsync(() => real.TextsOn(DeviceTopics.Desired("pi-2")).Contains("again-for-pi-2"), TimeSpan.FromSeconds(5), "pi-2 keeps its session and gets its messages");
        Assert.True(real.IsConnected);
        Assert.Empty(impostor.TextsOn(DeviceTopics.Desired("pi-2")));
    }

    /// <summary>
    /// For every topic kind of its own and of another device, a device receives exactly what the
    /// embedded broker's policy lets it subscribe to. (Mosquitto's ACL file grants every SUBACK and
    /// filters at delivery; the embedded broker refuses the SUBACK. Either way nothing else arrives.)
    /// </summary>
    [Fact]
    public async Task Subscribe_ToAnotherDeviceOrAWildcard_DeliversOnlyWhatTheEmbeddedPolicyAllows()
    {
        var controller = await ConnectAsync(ControllerPort, CredentialTable.ControllerUserName, "fleet-controller-it");
        var topics = AllTopics().ToList();
        await controller.PublishAsync(DeviceTopics.Desired("pi-2"), "retained-before"u8.ToArray(), retain: true);
        var device = await ConnectAsync(DevicePort, "pi-1");

        // Foreign and wildcard filters first; the device's own desired last, as a marker: mosquitto
        // sends one client's messages in order, so anything the filters let through comes before it.
        await device.SubscribeAsync([.. topics.Where(t => !t.StartsWith(DeviceTopics.Prefix + "pi-1/", StringComparison.Ordinal)), "fleet/v1/dev/+/desired", "fleet/v1/#", "#", "fleet/v1/dev/pi-1/#"]);
        await device.SubscribeAsync([.. topics.Where(t => t.StartsWith(DeviceTopics.Prefix + "pi-1/", StringComparison.Ordinal))]);
        foreach (var topic in topics)
        {
            await controller.PublishAsync(topic, Encoding.UTF8.GetBytes(topic), retain: false);
        }

        await controller.PublishAsync(DeviceTopics.Desired("pi-1"), "end"u8.ToArray(), retain: false);
        await Eventually.TrueAsync(() => device.TextsOn(DeviceTopics.Desired("pi-1")).Contains("end"), TimeSpan.FromSeconds(5), "the marker arrives");

        var expected = topics.Where(t => BrokerAccessPolicy.Subscribe(BrokerIdentity.Device("pi-1"), t).Allowed).Order();
        Assert.Equal(expected, device.Received.Select(m => m.Topic).Distinct().Order());
        Assert.Empty(device.TextsOn(DeviceTopics.Desired("pi-2")));
    }

    /// <summary>
    /// For every topic kind of its own and of another device, retained or not, a device's publish is
    /// acknowledged or refused (not authorized) as the embedded broker's policy says, and only what
    /// was acknowledged reaches the controller. One known difference: mosquitto's ACL file cannot see
    /// the retain flag, so it lets a device retain on its own events and reply topics.
    /// </summary>
    [Fact]
    public async Task Publish_IsAllowedOrRefusedAsTheEmbeddedPolicySays_AndRefusedOnesAreNotDelivered()
    {
        var controller = await ConnectAsync(ControllerPort, CredentialTable.ControllerUserName, "fleet-controller-it");
        await controller.SubscribeAsync("fleet/v1/dev/#");
        var device = await ConnectAsync(DevicePort, "pi-1");
        var allowed = new List<string>();

        foreach (var topic in AllTopics())
        {
            foreach (var retain in new[] { false, true })
            {
                var payload = $"{topic} retain={retain}";
                var result = await device.TryPublishAsync(topic, Encoding.UTF8.GetBytes(payload), retain);
                var expected = BrokerAccessPolicy.Publish(BrokerIdentity.Device("pi-1"), topic, retain).Allowed || RetainIsInvisibleToTheAclFile(topic, retain);
                Assert.True(expected == result.IsSuccess, $"{payload}: mosquitto said {result.ReasonCode}, the embedded policy {(expected ? "allows" : "refuses")} it");
                if (expected)
                {
                    allowed.Add(payload);
                }
                else
                {
                    Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
                }
            }
        }

        await device.PublishAsync(DeviceTopics.Status("pi-1"), "end"u8.ToArray(), retain: false);
        await Eventually.TrueAsync(() => controller.TextsOn(DeviceTopics.Status("pi-1")).Contains("end"), TimeSpan.FromSeconds(5), "the marker arrives");
        Assert.Contains(DeviceTopics.Status("pi-1") + " retain=True", allowed);
        Assert.DoesNotContain(DeviceTopics.Desired("pi-1") + " retain=True", allowed);
        Assert.Equal(allowed.Append("end").Order(), controller.Received.Select(m => Encoding.UTF8.GetString(m.Payload)).Order());
    }

    [Fact]
    public async Task Publish_OverThePayloadCap_IsRefused_AndNotDelivered()
    {
        var controller = await ConnectAsync(ControllerPort, CredentialTable.ControllerUserName, "fleet-controller-it");
        await controller.SubscribeAsync(DeviceTopics.Events("pi-1"));
        var device = await ConnectAsync(DevicePort, "pi-1");

        var result = await device.TryPublishAsync(DeviceTopics.Events("pi-1"), new byte[(1024 * 1024) + 1], retain: false);
        await device.PublishAsync(DeviceTopics.Events("pi-1"), new byte[1024 * 1024], retain: false);

        Assert.False(result.IsSuccess, $"a payload over 1 MiB was accepted: {result.ReasonCode}");
        await Eventually.TrueAsync(() => !controller.Received.IsEmpty, TimeSpan.FromSeconds(5), "the payload of exactly 1 MiB arrives");
        Assert.Equal(1024 * 1024, Assert.Single(controller.Received).Payload.Length);
    }

    [Fact]
    public async Task Controllers_PublishToAnyDevice_AndSplitDeviceTrafficThroughSharedSubscriptions()
    {
        var first = await ConnectAsync(ControllerPort, CredentialTable.ControllerUserName, "fleet-controller-a");
        var second = await ConnectAsync(ControllerPort, CredentialTable.ControllerUserName, "fleet-controller-b");
        foreach (var controller in new[] { first, second })
        {
            await controller.SubscribeAsync([.. ControllerSubscriptions.ForDeviceTraffic()]);
        }

        await first.SubscribeAsync(ControllerSubscriptions.Replies("a"));
        foreach (var id in Devices)
        {
            await first.PublishAsync(DeviceTopics.Desired(id), Encoding.UTF8.GetBytes($"desired {id}"), retain: true);
            await first.PublishAsync(DeviceTopics.Trust(id), Encoding.UTF8.GetBytes($"trust {id}"), retain: true);
            await first.PublishAsync(DeviceTopics.Command(id), Encoding.UTF8.GetBytes($"cmd {id}"), retain: false);
        }

        var device = await ConnectAsync(DevicePort, "pi-2");
        await device.SubscribeAsync(DeviceTopics.Desired("pi-2"), DeviceTopics.Trust("pi-2"));
        for (var i = 0; i < 20; i++)
        {
            await device.PublishAsync(DeviceTopics.Events("pi-2"), Encoding.UTF8.GetBytes($"event {i}"), retain: false);
        }

        await device.PublishAsync(ControllerSubscriptions.ResponseTopic("pi-2", "a", "c1"), "reply"u8.ToArray(), retain: false);

        await Eventually.TrueAsync(() => device.TextsOn(DeviceTopics.Desired("pi-2")).Contains("desired pi-2") && device.TextsOn(DeviceTopics.Trust("pi-2")).Contains("trust pi-2"), TimeSpan.FromSeconds(5), "the controller's retained messages reach the device");
        await Eventually.TrueAsync(() => first.TextsOn(DeviceTopics.Reply("pi-2", "a/c1")).Contains("reply"), TimeSpan.FromSeconds(5), "the reply reaches the instance that asked");
        await Eventually.TrueAsync(() => first.TextsOn(DeviceTopics.Events("pi-2")).Count() + second.TextsOn(DeviceTopics.Events("pi-2")).Count() == 20, TimeSpan.FromSeconds(5), "every event reaches one of the controllers");
        Assert.True(first.IsConnected && second.IsConnected, "two controller instances stay connected side by side");
        Assert.Equal(20, first.TextsOn(DeviceTopics.Events("pi-2")).Concat(second.TextsOn(DeviceTopics.Events("pi-2"))).Distinct().Count());
    }

    [Fact]
    public async Task RetainedDesiredState_SurvivesABrokerRestart()
    {
        var controller = await ConnectAsync(ControllerPort, CredentialTable.ControllerUserName, "fleet-controller-it");
        await controller.PublishAsync(DeviceTopics.Desired("pi-2"), "{\"version\":7}"u8.ToArray(), retain: true);

        await _broker.StopGracefullyAsync();
        await _broker.StartAsync();

        var device = await ConnectAsync(DevicePort, "pi-2");
        await device.SubscribeAsync(DeviceTopics.Desired("pi-2"));
        await Eventually.TrueAsync(() => device.TextsOn(DeviceTopics.Desired("pi-2")).Any(), TimeSpan.FromSeconds(5), () => "the retained desired state is delivered after the restart:\n" + _broker.Output);
        Assert.Equal("{\"version\":7}", Assert.Single(device.TextsOn(DeviceTopics.Desired("pi-2"))));
    }

    [Fact]
    public async Task NativeAgent_WorksWithinTheDeviceAcl_ComesOnline_ReportsStatus_AndAnswersACommand()
    {
        var controller = await ConnectAsync(ControllerPort, CredentialTable.ControllerUserName, "fleet-controller-it");
        await controller.SubscribeAsync(DeviceTopics.Online("pi-1"), DeviceTopics.Status("pi-1"), ControllerSubscriptions.Replies("ctl-a"));
        var data = Directory.CreateDirectory(Path.Combine(_broker.Directory, "agent")).FullName;
        using var root = SigningKey.Generate();
        await using var agent = NativeAgent.Start(
            data,
            "pi-1",
            DevicePort,
            root.ExportPublicKeyPem(),
            useEngine: false,
            new Dictionary<string, string> { ["Broker__Username"] = "pi-1", ["Broker__Password"] = _secrets["pi-1"] });
        await Eventually.TrueAsync(() => controller.TextsOn(DeviceTopics.Online("pi-1")).Contains("online"), TimeSpan.FromSeconds(20), () => "the agent's presence arrives:\n" + agent.Output);
        await Eventually.TrueAsync(() => controller.TextsOn(DeviceTopics.Status("pi-1")).Any(), TimeSpan.FromSeconds(20), () => "the agent's status arrives:\n" + agent.Output);

        var responseTopic = ControllerSubscriptions.ResponseTopic("pi-1", "ctl-a", "c1");
        await controller.RequestAsync(DeviceTopics.Command("pi-1"), "{\"id\":\"c1\",\"kind\":\"report\"}"u8.ToArray(), responseTopic, "c1"u8.ToArray());

        await Eventually.TrueAsync(() => controller.TextsOn(responseTopic).Any(), TimeSpan.FromSeconds(20), () => "the command's reply arrives:\n" + agent.Output);
        Assert.Contains("\"ok\":true", Assert.Single(controller.TextsOn(responseTopic)), StringComparison.Ordinal);
    }

    // Mosquitto's ACL file grants write per topic whatever the retain flag; the embedded broker
    // also refuses retained events and replies.
    private static bool RetainIsInvisibleToTheAclFile(string topic, bool retain) =>
        retain && DeviceTopics.TryParse(topic, out var parsed) && parsed.DeviceId == "pi-1" &&
        parsed.Kind is DeviceTopicKind.Events or DeviceTopicKind.Reply;

    /// <summary>Every kind of device topic, of pi-1 and of pi-2.</summary>
    private static IEnumerable<string> AllTopics() =>
        from id in Devices
        from kind in Enum.GetValues<DeviceTopicKind>()
        select kind == DeviceTopicKind.Reply ? DeviceTopics.Reply(id, "ctl-a/c1") : DeviceTopics.For(id, kind);

    private async Task WritePasswordFileAsync(string name, IEnumerable<string> users)
    {
        // The batch procedure of deploy/mosquitto/README.md: user:secret lines, then hashed in place.
        var file = Path.Combine(_broker.Directory, name);
        await File.WriteAllLinesAsync(file, users.Select(user => $"{user}:{_secrets[user]}"));
        var (code, output) = await ExternalProcess.RunAsync("mosquitto_passwd", TimeSpan.FromSeconds(30), "-U", file);
        Assert.True(code == 0, $"mosquitto_passwd -U {name}: {output}");
        Assert.DoesNotContain(_secrets[users.First()], await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }

    private async Task<MqttClientConnectResult> TryConnectAsync(int port, string clientId, string? user, string? password)
    {
        var (probe, result) = await MqttProbe.TryConnectAsync(port, clientId, user, password);
        Track((probe, result));
        return result;
    }

    private async Task<MqttProbe> ConnectAsync(int port, string user, string? clientId = null)
    {
        var (probe, result) = await MqttProbe.TryConnectAsync(port, clientId ?? user, user, _secrets[user]);
        Assert.True(result.ResultCode == MqttClientConnectResultCode.Success, $"{user} on {port}: {result.ResultCode}\n{_broker.Output}");
        return Track((probe, result));
    }

    private MqttProbe Track((MqttProbe Probe, MqttClientConnectResult Result) connection)
    {
        _probes.Add(connection.Probe);
        return connection.Probe;
    }
}
