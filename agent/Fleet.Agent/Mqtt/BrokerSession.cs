using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.Agent.Mqtt;

/// <summary>
/// The agent's one MQTT v5 session. Clean start is off and the session outlives a disconnect, so
/// QoS 1 messages sent while the device was away are delivered when it returns. Reconnecting is
/// the job of <see cref="RunAsync"/>, a monitoring loop with exponential backoff and jitter; the
/// disconnect handler only wakes that loop (reconnecting from inside MQTTnet's handler races with
/// its own cleanup). A message is acknowledged to the broker only after <c>onMessage</c> returns,
/// so whatever the handler persisted before returning is never lost to a crash.
/// </summary>
public sealed partial class BrokerSession : IAsyncDisposable
{
    public const string Online = "online";
    public const string Offline = "offline";

    private readonly BrokerOptions _options;
    private readonly Func<BrokerMessage, CancellationToken, Task> _onMessage;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MqttClientFactory _factory = new();
    private readonly IMqttClient _client;
    private readonly Random _random = new();
    private TaskCompletionSource _disconnected = NewSignal();

    public BrokerSession(
        BrokerOptions options,
        Func<BrokerMessage, CancellationToken, Task> onMessage,
        TimeProvider timeProvider,
        ILogger<BrokerSession> logger)
    {
        _options = options;
        _onMessage = onMessage;
        _timeProvider = timeProvider;
        _logger = logger;
        _client = _factory.CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnApplicationMessageAsync;
        _client.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
    }

    /// <summary>Called after every successful (re)connect, once subscriptions are in place.</summary>
    public Func<bool, CancellationToken, Task>? ConnectedAsync { get; set; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Connects, and reconnects whenever the session drops, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                var (connected, sessionPresent) = await TryConnectAsync(cancellationToken);
                if (!connected)
                {
                    var delay = _options.Reconnect.Delay(attempt++, _random);
                    LogRetrying(delay.TotalSeconds);
                    await DelayAsync(delay, cancellationToken);
                    continue;
                }

                attempt = 0;
                if (ConnectedAsync is { } connectedHandler)
                {
                    await connectedHandler(sessionPresent, cancellationToken);
                }
            }

            // The keep-alive notices a dead link; this wait only bounds how stale IsConnected can be.
            await Task.WhenAny(_disconnected.Task, DelayAsync(_options.KeepAlive, cancellationToken));
        }
    }

    /// <summary>Publishes with QoS 1; true once the broker acknowledged it, false when offline or refused.</summary>
    public async Task<bool> PublishAsync(
        string topic,
        ReadOnlyMemory<byte> payload,
        bool retain,
        CancellationToken cancellationToken,
        ReadOnlyMemory<byte> correlationData = default)
    {
        if (!_client.IsConnected)
        {
            return false;
        }

        try
        {
            var result = await _client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(topic)
                    .WithPayload(payload.ToArray())
                    .WithRetainFlag(retain)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithCorrelationData(correlationData.IsEmpty ? null : correlationData.ToArray())
                    .Build(),
                cancellationToken);
            if (!result.IsSuccess)
            {
                LogPublishRefused(topic, result.ReasonCode.ToString(), result.ReasonString);
            }

            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException
                                   or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogPublishFailed(topic, ex.Message);
            return false;
        }
    }

    /// <summary>Says goodbye properly: presence <c>offline</c>, then a normal disconnect (no will).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                if (_options.PresenceTopic is { } presence)
                {
                    await PublishAsync(presence, System.Text.Encoding.UTF8.GetBytes(Offline), retain: true, timeout.Token);
                }

                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                LogPublishFailed(_options.PresenceTopic ?? "(disconnect)", ex.Message);
            }
        }

        _client.Dispose();
    }

    private async Task<(bool Connected, bool SessionPresent)> TryConnectAsync(CancellationToken cancellationToken)
    {
        _disconnected = NewSignal();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            var result = await _client.ConnectAsync(BuildClientOptions(), timeout.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                LogConnectRefused(_options.Server, result.ResultCode.ToString(), result.ReasonString);
                return (false, false);
            }

            if (_options.Subscriptions.Count > 0)
            {
                var subscribe = _factory.CreateSubscribeOptionsBuilder();
                foreach (var filter in _options.Subscriptions)
                {
                    subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
                }

                await _client.SubscribeAsync(subscribe.Build(), timeout.Token);
            }

            if (_options.PresenceTopic is { } presence)
            {
                await PublishAsync(presence, System.Text.Encoding.UTF8.GetBytes(Online), retain: true, timeout.Token);
            }

            LogConnected(_options.Server, result.IsSessionPresent);
            return (true, result.IsSessionPresent);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttProtocolViolationException
                                   or System.Net.Sockets.SocketException or IOException
                                   or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogConnectFailed(_options.Server, ex.Message);
            return (false, false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped in the middle of a connect: RunAsync ends as it does between attempts.
            return (false, false);
        }
    }

    private MqttClientOptions BuildClientOptions()
    {
        var port = _options.Server.IsDefaultPort || _options.Server.Port < 0
            ? (_options.Server.Scheme == "mqtts" ? 8883 : 1883)
            : _options.Server.Port;
        var builder = _factory.CreateClientOptionsBuilder()
            .WithTcpServer(_options.Server.Host, port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(_options.ClientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.ConnectTimeout);
        if (_options.Username is not null)
        {
            builder.WithCredentials(_options.Username, _options.Password);
        }

        if (_options.PresenceTopic is { } presence)
        {
            builder.WithWillTopic(presence)
                .WithWillPayload(Offline)
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (_options.Server.Scheme == "mqtts")
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost(_options.Server.Host);
                if (_options.CaFile is { } caFile)
                {
                    var trust = new X509Certificate2Collection();
                    trust.ImportFromPemFile(caFile);
                    tls.WithTrustChain(trust);
                }

                if (_options.ClientCertificateFile is { } certificate && _options.ClientKeyFile is { } key)
                {
                    tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(certificate, key)]);
                }
            });
        }

        return builder.Build();
    }

    private async Task OnApplicationMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        await _onMessage(
            new BrokerMessage(
                message.Topic,
                message.Payload.ToArray(),
                message.Retain,
                message.ResponseTopic,
                message.CorrelationData ?? []),
            CancellationToken.None);
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {Server} (session present: {SessionPresent})")]
    private partial void LogConnected(Uri server, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker {Server} refused the connection: {Code} {Reason}")]
    private partial void LogConnectRefused(Uri server, string code, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot reach broker {Server}: {Reason}")]
    private partial void LogConnectFailed(Uri server, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting in {Seconds:F1} s")]
    private partial void LogRetrying(double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker refused a publish to {Topic}: {Code} {Reason}")]
    private partial void LogPublishRefused(string topic, string code, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish to {Topic} failed: {Reason}")]
    private partial void LogPublishFailed(string topic, string reason);
}
