using System.Buffers;
using System.Globalization;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Policy;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Topics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.Sim.Simulation;

/// <summary>
/// One simulated device: the agent's MQTT session (clean start off, session expiry, retained
/// <c>offline</c> will and <c>online</c> birth, QoS 1 everywhere) and the agent's protocol, through
/// Fleet.Protocol: a desired state is verified against the pinned root and the trust documents,
/// the device id, anti-rollback and acceptUntil, then walks <see cref="PhaseWalk"/> with retained
/// status (growing seq, with the last event seq) and event batches (seq without gaps) at each step, at most one
/// report per <see cref="SimOptions.ReportInterval"/> as the agent (<see cref="ReportPacing"/>). The
/// newest acknowledged events stay in memory, as in the agent's journal, to answer <c>resend-events</c>.
/// No engine, no storage: a simulator for scale tests. It owns no timer and no loop; <see cref="SimScheduler"/> runs its steps.
/// </summary>
public sealed class SimDevice : IDisposable
{
    private const string AgentVersion = "0.1.0-sim";
    private const int MaxEventsPerBatch = 100;
    // Acknowledged events kept to send again when the controller asks (the agent keeps 1,000 in its journal).
    private const int SentEventsKept = 100;

    private readonly SimRuntime _runtime;
    private readonly DeviceIdentity _identity;
    private readonly string _desiredTopic;
    private readonly string _trustTopic;
    private readonly string _commandTopic;
    private readonly string _statusTopic;
    private readonly string _eventsTopic;
    private readonly string _onlineTopic;
    private readonly MqttClientOptions _clientOptions;
    private readonly IMqttClient _client;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private readonly ReportPacing _pacing;
    private readonly List<DeviceEvent> _pending = [];
    private readonly Queue<DeviceEvent> _sent = new();
    private readonly Action<SimDevice, bool> _connectionLost;
    private TrustStore _trust;
    private long? _accepted;
    private long? _applied;
    private string _phase = DeploymentPhases.Idle;
    private ErrorDetail? _lastError;
    private IReadOnlyList<StackStatus> _stacks = [];
    private long _statusSeq;
    private long _eventSeq;
    private long _lastSentSeq;
    private int _generation;
    private Walk? _walk;
    private byte[]? _refusedForKey;
    private volatile bool _stopping;
    private int _pinging;
    private bool _reportHeld;
    private int _reportTicket;
    private bool _statusForced;
    private StatusContent? _lastStatus;

    /// <param name="enrollment">What enrollment returned (its broker address possibly overridden).</param>
    /// <param name="connectionLost">Called when an established session drops; true when it was connected before.</param>
    public SimDevice(SimRuntime runtime, EnrollmentResponse enrollment, bool fails, Action<SimDevice, bool> connectionLost)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(enrollment);
        _runtime = runtime;
        _connectionLost = connectionLost;
        Id = enrollment.DeviceId;
        Fails = fails;
        _identity = new DeviceIdentity(Id, enrollment.Labels);
        _desiredTopic = DeviceTopics.Desired(Id);
        _trustTopic = DeviceTopics.Trust(Id);
        _commandTopic = DeviceTopics.Command(Id);
        _statusTopic = DeviceTopics.Status(Id);
        _eventsTopic = DeviceTopics.Events(Id);
        _onlineTopic = DeviceTopics.Online(Id);
        var root = runtime.Trust.Root(enrollment.Root);
        var trusted = runtime.Trust.Apply(root, enrollment.Trust);
        _trust = trusted.IsAccepted ? trusted.Value : root;
        _pacing = new ReportPacing(runtime.Options.ReportInterval, runtime.TimeProvider);
        _clientOptions = BuildClientOptions(runtime, enrollment.Broker, Id, _onlineTopic);
        _client = runtime.ClientFactory.CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += e =>
        {
            if (!_stopping)
            {
                _connectionLost(this, e.ClientWasConnected);
            }

            return Task.CompletedTask;
        };
    }

    public string Id { get; }

    /// <summary>Whether this device's updates fail their health window and roll back (<c>--fail-rate</c>).</summary>
    public bool Fails { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>The phase the device reports now.</summary>
    public string Phase
    {
        get
        {
            lock (_gate)
            {
                return _phase;
            }
        }
    }

    /// <summary>The trust store the device verifies with (shared with every device that got the same documents).</summary>
    public TrustStore Trust => Volatile.Read(ref _trust);

    /// <summary>
    /// Connects as the agent does; true once connected, subscribed and the <c>online</c> birth is
    /// published. A refusal (bad credentials, another session's client id) is a value, not an exception.
    /// </summary>
    public async Task<ConnectOutcome> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_runtime.Options.ConnectTimeout);
            var result = await _client.ConnectAsync(_clientOptions, timeout.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                return ConnectOutcome.Refused($"{result.ResultCode} {result.ReasonString}".Trim());
            }

            var subscribe = _runtime.ClientFactory.CreateSubscribeOptionsBuilder()
                .WithTopicFilter(_desiredTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter(_trustTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter(_commandTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var subscribed = await _client.SubscribeAsync(subscribe, timeout.Token);
            if (subscribed.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2) is { } refused)
            {
                return ConnectOutcome.Refused($"subscribe to {refused.TopicFilter.Topic}: {refused.ResultCode}");
            }

            await PublishAsync(_onlineTopic, Presence.Encode(online: true), retain: true, timeout.Token);
            if (Interlocked.Exchange(ref _pinging, 1) == 0)
            {
                _runtime.Scheduler.Schedule(_runtime.Options.KeepAlive, PingAsync);
            }

            // After a reconnect: whatever was journalled while away, and the current status.
            if (result.IsSessionPresent || Volatile.Read(ref _statusSeq) > 0)
            {
                Report(wholeStatus: true);
            }

            return ConnectOutcome.Connected;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttProtocolViolationException
                                   or System.Net.Sockets.SocketException or IOException
                                   or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ConnectOutcome.Unreachable(ex.Message);
        }
    }

    /// <summary>
    /// The keep-alive ping, every <see cref="SimOptions.KeepAlive"/> from the fleet's one scheduler, for as long
    /// as the device runs. MQTTnet's own keep-alive would be a loop per client that wakes every 100 ms whatever
    /// the period: 100,000 timer wake-ups a second at 10,000 devices, a third of the simulator's CPU in a rollout
    /// (docs/benchmarks.md). So the client connects with keep-alive 0 (the broker does not time simulated
    /// devices out) and pings from here.
    /// </summary>
    private async Task PingAsync(CancellationToken cancellationToken)
    {
        if (_stopping)
        {
            return;
        }

        if (_client.IsConnected)
        {
            try
            {
                await _client.PingAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException
                                       or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // A dead connection: MQTTnet reports it through DisconnectedAsync, and the fleet reconnects.
            }
        }

        _runtime.Scheduler.Schedule(_runtime.Options.KeepAlive, PingAsync);
    }

    /// <summary>The agent's heartbeat: the whole status again (and any events still pending), when connected.</summary>
    public void Heartbeat()
    {
        if (_client.IsConnected)
        {
            Report(wholeStatus: true);
        }
    }

    /// <summary>A clean goodbye, as the agent's: retained <c>offline</c>, then a normal disconnect (no will).</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            await PublishAsync(_onlineTopic, Presence.Encode(online: false), retain: true, cancellationToken);
            await _client.DisconnectAsync(
                new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(),
                cancellationToken);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            // Going away anyway: the broker publishes the will.
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _client.Dispose();
        _publishGate.Dispose();
    }

    /// <summary>Takes a desired-state envelope (from the desired topic) through the verifier and starts its walk.</summary>
    public void HandleDesired(byte[] envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Length == 0)
        {
            return; // The retained state was cleared (device deleted): nothing to do.
        }

        int generation;
        lock (_gate)
        {
            var result = _runtime.Verifier.Verify(envelope, _trust, _identity, AntiRollbackPolicy.FromMarks(_accepted));
            if (result.Reason == RefusalReason.Duplicate)
            {
                return;
            }

            if (result.IsAccepted)
            {
                var desired = result.Value;
                _accepted = desired.Version;
                _refusedForKey = null;
                _walk = new Walk(desired.Version, desired, PhaseWalk.Accepted(desired, Fails), $"{envelope.Length} bytes, key {result.Kid}");
                _runtime.CountAccepted();
            }
            else
            {
                // Refused for a key the device does not know yet: a trust update may make it valid.
                _refusedForKey = result.Reason is RefusalReason.UnknownKey or RefusalReason.KeyNotYetValid ? envelope : null;
                _walk = new Walk(result.RefusedValue?.Version, null, PhaseWalk.Rejected(result.Code, result.Message), $"{envelope.Length} bytes, key {result.Kid ?? "unknown"}");
            }

            generation = ++_generation;
        }

        _runtime.Scheduler.Schedule(TimeSpan.Zero, _ => StepAsync(generation, 0));
    }

    /// <summary>Takes trust documents (from the trust topic); a desired state refused for an unknown key is verified again.</summary>
    public VerificationResult<TrustStore> HandleTrust(byte[] documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var applied = _runtime.Trust.Apply(Trust, documents);
        if (!applied.IsAccepted)
        {
            return applied;
        }

        byte[]? retry;
        lock (_gate)
        {
            _trust = applied.Value;
            retry = _refusedForKey;
        }

        if (retry is not null)
        {
            HandleDesired(retry);
        }

        return applied;
    }

    private Task StepAsync(int generation, int index)
    {
        PhaseStep step;
        int count;
        lock (_gate)
        {
            if (generation != _generation || _walk is not { } walk)
            {
                return Task.CompletedTask; // A newer desired state took over.
            }

            step = walk.Steps[index];
            count = walk.Steps.Count;
            var now = _runtime.TimeProvider.GetUtcNow();
            foreach (var kind in step.EventKinds)
            {
                var refusal = kind is EventKinds.Rejected or EventKinds.RollingBack or EventKinds.RolledBack;
                _pending.Add(new DeviceEvent
                {
                    Seq = ++_eventSeq,
                    Time = now,
                    Version = walk.Version,
                    Kind = kind,
                    Code = refusal ? step.Error?.Code : null,
                    Stack = refusal ? step.Error?.Stack : null,
                    Detail = refusal ? step.Error?.Message : kind == EventKinds.Received ? walk.ReceivedDetail : null,
                });
            }

            _phase = step.Phase;
            _lastError = index == 0 && walk.Desired is not null ? null : step.Error ?? _lastError;
            if (step.Commits && walk.Desired is { } desired)
            {
                _applied = desired.Version;
                _lastError = null;
                _stacks = desired.Stacks.Select(s => new StackStatus { Name = s.Name, Digest = s.Digest }).ToArray();
            }
        }

        if (step.IsFinal)
        {
            _runtime.CountOutcome(step.Phase);
        }

        Report();
        if (index + 1 < count)
        {
            var delay = _walkDelay(index + 1);
            _runtime.Scheduler.Schedule(delay, _ => StepAsync(generation, index + 1));
        }

        return Task.CompletedTask;

        TimeSpan _walkDelay(int nextIndex)
        {
            lock (_gate)
            {
                return _walk is { } walk && nextIndex < walk.Steps.Count && walk.Steps[nextIndex].Delayed
                    ? _runtime.NextPhaseDelay()
                    : TimeSpan.Zero;
            }
        }
    }

    /// <summary>
    /// Asks for a report, as the agent's update steps wake its report loop: the report is its own work item, so
    /// the walk goes on while it waits for the broker. It goes at once, or, within
    /// <see cref="SimOptions.ReportInterval"/> after the last one (<see cref="ReportPacing"/>), at the interval's
    /// end, once for everything asked for meanwhile; the step that ends an update does not wait for that end,
    /// as the agent's does not: the held report goes at once instead.
    /// </summary>
    /// <param name="wholeStatus">The status goes even when unchanged since the last one: a heartbeat, a reconnect, a <c>report</c> command.</param>
    private void Report(bool wholeStatus = false)
    {
        TimeSpan hold;
        int ticket;
        lock (_gate)
        {
            _statusForced |= wholeStatus;
            hold = _pacing.Hold(_phase, _walk?.Version);
            if (_reportHeld && hold > TimeSpan.Zero)
            {
                return; // The held report carries this too.
            }

            _reportHeld = true;
            ticket = ++_reportTicket; // A report held until later gives way to this one.
        }

        _runtime.Scheduler.Schedule(hold, cancellationToken =>
        {
            lock (_gate)
            {
                if (ticket != _reportTicket)
                {
                    return Task.CompletedTask;
                }

                _reportHeld = false;
                _pacing.Reported(_phase, _walk?.Version);
            }

            return SendReportAsync(cancellationToken);
        });
    }

    /// <summary>
    /// Publishes the pending events (in order, in batches) and then the status, one report at a time
    /// per device: events leave the pending list only when the broker acknowledged them, so a report
    /// that fails (offline) is sent again by the next one, without a gap in seq.
    /// </summary>
    private async Task SendReportAsync(CancellationToken cancellationToken)
    {
        await _publishGate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                DeviceEvent[] batch;
                lock (_gate)
                {
                    batch = _pending.Take(MaxEventsPerBatch).ToArray();
                }

                if (batch.Length == 0)
                {
                    break;
                }

                var payload = ProtocolJson.Serialize(new EventBatch { DeviceId = Id, Events = batch }, ProtocolJsonContext.Default.EventBatch);
                if (!await PublishAsync(_eventsTopic, payload, retain: false, cancellationToken))
                {
                    return;
                }

                lock (_gate)
                {
                    _pending.RemoveRange(0, batch.Length);
                    // Sent again after a resend, they are kept already.
                    foreach (var sent in batch.Where(e => _sent.Count == 0 || e.Seq > _lastSentSeq))
                    {
                        _sent.Enqueue(sent);
                        _lastSentSeq = sent.Seq;
                    }

                    while (_sent.Count > SentEventsKept)
                    {
                        _sent.Dequeue();
                    }
                }
            }

            byte[] status;
            StatusContent content;
            lock (_gate)
            {
                // As the agent: an unchanged status waits for the heartbeat (its events went on their own topic).
                content = new StatusContent(_phase, _accepted, _applied, _lastError, _stacks);
                if (!_statusForced && content == _lastStatus)
                {
                    return;
                }

                _statusForced = false;
                status = ProtocolJson.Serialize(BuildStatus(++_statusSeq), ProtocolJsonContext.Default.DeviceStatus);
            }

            if (await PublishAsync(_statusTopic, status, retain: true, cancellationToken))
            {
                lock (_gate)
                {
                    _lastStatus = content;
                }
            }
            else
            {
                lock (_gate)
                {
                    _statusForced = true;
                }
            }
        }
        finally
        {
            _publishGate.Release();
        }
    }

    private DeviceStatus BuildStatus(long seq) => new()
    {
        DeviceId = Id,
        AgentVersion = AgentVersion,
        Seq = seq,
        ReportedAt = _runtime.TimeProvider.GetUtcNow(),
        DesiredVersion = _accepted,
        AppliedVersion = _applied,
        Phase = _phase,
        LastError = _lastError,
        Stacks = _stacks,
        Facts = _runtime.Facts,
        LastEventSeq = _eventSeq,
    };

    /// <summary>
    /// Queues the kept events in (<paramref name="afterSeq"/>, <paramref name="throughSeq"/>] to be sent again,
    /// in seq order before anything pending, as the agent's journal does; the oldest seq kept tells the
    /// controller what it can stop waiting for. Then reports, which sends them.
    /// </summary>
    public async Task<EventResendResult> ResendAsync(long afterSeq, long? throughSeq, CancellationToken cancellationToken)
    {
        EventResendResult result;
        // Not while a report is between taking a batch from the pending list and removing it.
        await _publishGate.WaitAsync(cancellationToken);
        try
        {
            lock (_gate)
            {
                var through = throughSeq ?? _eventSeq;
                var again = _sent.Where(e => e.Seq > afterSeq && e.Seq <= through && !_pending.Exists(p => p.Seq == e.Seq)).ToList();
                _pending.InsertRange(0, again);
                var oldest = _sent.Count > 0 ? _sent.Peek().Seq : _pending.Count > 0 ? _pending.Min(e => e.Seq) : (long?)null;
                result = new EventResendResult { AfterSeq = afterSeq, ThroughSeq = through, Requeued = again.Count, OldestHeld = oldest };
            }
        }
        finally
        {
            _publishGate.Release();
        }

        Report();
        return result;
    }

    private async Task<bool> PublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
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
                    .WithPayload(payload)
                    .WithRetainFlag(retain)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken);
            if (result.IsSuccess)
            {
                _runtime.CountPublished(status: ReferenceEquals(topic, _statusTopic));
            }

            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException
                                   or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        if (message.Topic == _desiredTopic)
        {
            HandleDesired(message.Payload.ToArray());
        }
        else if (message.Topic == _trustTopic)
        {
            if (!message.Payload.IsEmpty && HandleTrust(message.Payload.ToArray()) is { IsAccepted: false } refused)
            {
                _runtime.Log($"{Id}: trust documents refused: {refused}");
            }
        }
        else if (message.Topic == _commandTopic)
        {
            var payload = message.Payload.ToArray();
            var responseTopic = message.ResponseTopic;
            var correlation = message.CorrelationData;
            _runtime.Scheduler.Schedule(TimeSpan.Zero, cancellationToken => AnswerCommandAsync(payload, responseTopic, correlation, cancellationToken));
        }

        return Task.CompletedTask;
    }

    // The agent's commands, answered as a device without an engine would: nothing runs here.
    private async Task AnswerCommandAsync(byte[] payload, string? responseTopic, byte[]? correlation, CancellationToken cancellationToken)
    {
        if (!DeviceTopics.IsReplyTopicOf(Id, responseTopic))
        {
            return;
        }

        var parsed = ProtocolJson.Parse(payload, ProtocolJsonContext.Default.DeviceCommand);
        DeviceCommandResult result;
        if (!parsed.Succeeded)
        {
            result = DeviceCommandResult.Failure(null, "malformed-command", parsed.Error);
        }
        else if (CommandKinds.Validate(parsed.Value) is { } invalid)
        {
            result = DeviceCommandResult.Failure(parsed.Value.Id, invalid.Code, invalid.Message);
        }
        else
        {
            var command = parsed.Value;
            if (command.Kind == CommandKinds.ResendEvents)
            {
                var resend = await ResendAsync(command.Args!.AfterSeq!.Value, command.Args.ThroughSeq, cancellationToken);
                result = DeviceCommandResult.Success(command.Id, string.Create(CultureInfo.InvariantCulture, $"re-queued {resend.Requeued} event(s)")) with { Resend = resend };
            }
            else
            {
                if (command.Kind == CommandKinds.Report)
                {
                    Report(wholeStatus: true);
                }

                result = DeviceCommandResult.Success(command.Id, command.Kind == CommandKinds.Logs ? "fleet-sim: a simulated device runs no containers\n" : null);
            }
        }

        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            await _client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(responseTopic)
                    .WithPayload(ProtocolJson.Serialize(result, ProtocolJsonContext.Default.DeviceCommandResult))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithCorrelationData(correlation)
                    .Build(),
                cancellationToken);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException)
        {
            // The controller asks again or times out.
        }
    }

    private static MqttClientOptions BuildClientOptions(SimRuntime runtime, BrokerCredentials broker, string clientId, string onlineTopic)
    {
        var server = broker.Uri;
        if (server.Scheme is not ("mqtt" or "tcp"))
        {
            throw new ArgumentException($"fleet-sim connects over plain mqtt:// only (127.0.0.1 scale tests), not '{server}'", nameof(broker));
        }

        var port = server.IsDefaultPort || server.Port < 0 ? 1883 : server.Port;
        return runtime.ClientFactory.CreateClientOptionsBuilder()
            .WithTcpServer(server.Host, port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCredentials(broker.Username, broker.Password)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)runtime.Options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(TimeSpan.Zero) // pinged by PingAsync instead
            .WithTimeout(runtime.Options.ConnectTimeout)
            .WithWillTopic(onlineTopic)
            .WithWillPayload(Presence.Offline)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
    }

    private sealed record Walk(long? Version, DesiredState? Desired, IReadOnlyList<PhaseStep> Steps, string ReceivedDetail);

    // What makes a status new (not its seq, time or facts); the error is a record and the stacks are replaced on change.
    private readonly record struct StatusContent(string Phase, long? Accepted, long? Applied, ErrorDetail? Error, IReadOnlyList<StackStatus> Stacks);
}
