using Fleet.Controller.Metrics;
using Fleet.Protocol.Topics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Controller.Mqtt;

/// <summary>
/// The controller's one MQTT v5 client, to the embedded broker or an external one: the same code path
/// either way, so what is tested against the embedded broker holds for mosquitto too. It subscribes to
/// device traffic with shared subscriptions when the broker offers them (<c>$share/fleet-controllers/...</c>,
/// so several controllers split the load) and with the plain filters otherwise (MQTTnet's server has no
/// shared subscriptions; there is one controller per embedded broker), plus this instance's replies.
/// Reconnects from its own loop with backoff, never from the disconnect handler.
/// </summary>
public sealed partial class MqttLink : BackgroundService
{
    private static readonly TimeSpan PublishWait = TimeSpan.FromSeconds(10);

    private readonly MqttLinkOptions _options;
    private readonly FleetMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<MqttLink> _logger;
    private readonly MqttClientFactory _factory = new();
    private readonly IMqttClient _client;
    private readonly List<Func<MqttApplicationMessage, Task>> _handlers = [];
    private Func<MqttApplicationMessage, bool>? _inProcess;
    private TaskCompletionSource _connected = NewSignal();
    private TaskCompletionSource _disconnected = NewSignal();

    public MqttLink(MqttLinkOptions options, FleetMetrics metrics, TimeProvider timeProvider, ILogger<MqttLink> logger)
    {
        _options = options;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
        _client = _factory.CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += e =>
        {
            _connected = NewSignal();
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
    }

    public string InstanceId => _options.InstanceId;

    public bool IsConnected => _client.IsConnected;

    /// <summary>Completes once the link is up (again).</summary>
    public Task Connected => _connected.Task;

    /// <summary>Handlers see every message from the subscriptions; register before the host starts.</summary>
    public void OnMessage(Func<MqttApplicationMessage, Task> handler) => _handlers.Add(handler);

    /// <summary>
    /// With the embedded broker: <see cref="PublishAsync"/> first offers each message to <paramref name="tryPublish"/>
    /// (<see cref="Broker.EmbeddedBroker.TryPublishToDevice"/>), which takes it in process or answers false to have
    /// it go through this client. Set before start.
    /// </summary>
    public void PublishInProcessThrough(Func<MqttApplicationMessage, bool> tryPublish) => _inProcess = tryPublish;

    /// <summary>
    /// Publishes with QoS 1, waiting up to 10 s for the link to be up; throws when the broker cannot be
    /// reached or refuses, which for the controller's own publishes is a fault, not an expected outcome.
    /// </summary>
    public async Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce;
        if (_inProcess?.Invoke(message) == true)
        {
            _metrics.CountOut();
            return;
        }

        await _connected.Task.WaitAsync(PublishWait, _timeProvider, cancellationToken);
        var result = await _client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"broker refused the publish to '{message.Topic}': {result.ReasonCode} {result.ReasonString}");
        }

        _metrics.CountOut();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                LogFailed(ex.Message);
            }
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                if (!await TryConnectAsync(stoppingToken))
                {
                    var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 200 * Math.Pow(2, Math.Min(attempt++, 10))) * (0.5 + (Random.Shared.NextDouble() / 2)));
                    await DelayAsync(delay, stoppingToken);
                    continue;
                }

                attempt = 0;
            }

            await Task.WhenAny(_disconnected.Task, DelayAsync(TimeSpan.FromSeconds(5), stoppingToken));
        }
    }

    private async Task<bool> TryConnectAsync(CancellationToken cancellationToken)
    {
        _disconnected = NewSignal();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var builder = _factory.CreateClientOptionsBuilder()
                .WithTcpServer(_options.Host, _options.Port)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithClientId(_options.ClientId)
                .WithCredentials(_options.Username, _options.Password)
                .WithCleanStart(false)
                .WithSessionExpiryInterval(3600)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
            if (_options.UseTls)
            {
                builder.WithTlsOptions(tls => tls.UseTls().WithTargetHost(_options.Host));
            }

            var result = await _client.ConnectAsync(builder.Build(), timeout.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                LogRefused(_options.Host, _options.Port, result.ResultCode.ToString(), result.ReasonString);
                return false;
            }

            var filters = result.SharedSubscriptionAvailable
                ? [.. ControllerSubscriptions.ForDeviceTraffic()]
                : new[] { DeviceTopicKind.Status, DeviceTopicKind.Events, DeviceTopicKind.Online }
                    .Select(kind => DeviceTopics.Prefix + "+/" + DeviceTopics.Level(kind)).ToList();
            filters.Add(ControllerSubscriptions.Replies(_options.InstanceId));
            var subscribe = _factory.CreateSubscribeOptionsBuilder();
            foreach (var filter in filters)
            {
                subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            var subscribed = await _client.SubscribeAsync(subscribe.Build(), timeout.Token);
            foreach (var item in subscribed.Items.Where(i => (int)i.ResultCode > 2))
            {
                LogSubscribeRefused(item.TopicFilter.Topic, item.ResultCode.ToString());
            }

            LogConnected(_options.Host, _options.Port, result.SharedSubscriptionAvailable);
            _connected.TrySetResult();
            return true;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttProtocolViolationException
                                   or System.Net.Sockets.SocketException or IOException
                                   or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Runs the handlers on one message from devices, counted in <c>fleet_mqtt_messages_in_total</c>: what
    /// the subscriptions bring, and what the embedded broker hands over directly (<see cref="Broker.EmbeddedBroker.HandDeviceTrafficTo"/>).
    /// </summary>
    public async Task DeliverAsync(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _metrics.CountIn();
        foreach (var handler in _handlers)
        {
            try
            {
                await handler(message);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug in one handler must not stop ingest of every other device's traffic.
                LogHandlerFailed(message.Topic, ex);
            }
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e) => DeliverAsync(e.ApplicationMessage);

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the loop condition ends the run.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller connected to the broker at {Host}:{Port} (shared subscriptions: {Shared})")]
    private partial void LogConnected(string host, int port, bool shared);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker at {Host}:{Port} refused the controller: {Code} {Reason}")]
    private partial void LogRefused(string host, int port, string code, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker refused the subscription {Filter}: {Code}")]
    private partial void LogSubscribeRefused(string filter, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker link: {Reason}")]
    private partial void LogFailed(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a message on {Topic} failed")]
    private partial void LogHandlerFailed(string topic, Exception exception);
}
