using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using Fleet.Protocol.Topics;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Fleet.Controller.Broker;

/// <summary>
/// Delivers what the controller sends a device (its <c>desired</c>, <c>trust</c> and <c>cmd</c> topics)
/// straight into that device's session, and keeps the retained ones itself. MQTTnet 5.2's own path costs
/// in proportion to the fleet for every message: a dispatch checks the subscriptions of every subscribed
/// session, and a retained publish copies the whole retained set (two messages per device) to raise its
/// change event, as does every SUBSCRIBE. A device may subscribe only to these exact topics of its own
/// (<see cref="BrokerAccessPolicy"/>), so one lookup by device id finds the only session that can match.
/// What MQTT promises the device is kept: a retained message is sent when it subscribes (unless its retain
/// handling says not to), a change is sent to it at once, QoS 1, and a session kept across a disconnect
/// gets what was published while it was away.
/// </summary>
public sealed class DeviceDelivery
{
    private readonly ConcurrentDictionary<string, Subscriber> _subscribers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MqttApplicationMessage> _retained = new(StringComparer.Ordinal);
    private int _monitors;

    /// <summary>
    /// True once a controller-credentialed client subscribed to a filter that can match a to-device topic
    /// (a monitoring tool on <c>fleet/v1/dev/#</c>): from then on the controller's publishes also go through
    /// MQTTnet's dispatch, unretained, so that it sees them.
    /// </summary>
    public bool HasMonitors => Volatile.Read(ref _monitors) > 0;

    public int RetainedCount => _retained.Count;

    /// <summary>Whether <paramref name="topic"/> is one this class carries: a device's desired, trust or cmd topic.</summary>
    public static bool Carries(string topic, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DeviceTopic? parsed) =>
        DeviceTopics.TryParse(topic, out parsed) && DeviceTopics.IsToDevice(parsed.Kind);

    /// <summary>Takes the retained messages of to-device topics (from the store at start); answers the rest.</summary>
    public IEnumerable<MqttApplicationMessage> LoadRetained(IEnumerable<MqttApplicationMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            if (Carries(message.Topic, out _))
            {
                _retained[message.Topic] = message;
            }
            else
            {
                yield return message;
            }
        }
    }

    /// <summary>The retained message on a to-device topic, if any.</summary>
    public MqttApplicationMessage? Retained(string topic) => _retained.GetValueOrDefault(topic);

    /// <summary>
    /// A controller publish to a device: kept if retained (an empty payload clears it), and queued for the
    /// device's session if it subscribed to that topic. The message is copied: MQTTnet reuses its buffers.
    /// Answers false when the device's session refused it (its queue is full).
    /// </summary>
    public bool Publish(MqttApplicationMessage message, DeviceTopic topic)
    {
        ArgumentNullException.ThrowIfNull(message);
        // One copy of the payload serves both: neither is written to.
        var payload = message.Payload.IsEmpty ? default : new ReadOnlySequence<byte>(message.Payload.ToArray());
        var copy = Copy(message, payload, retain: false);
        if (message.Retain)
        {
            if (payload.IsEmpty)
            {
                _retained.TryRemove(message.Topic, out _);
            }
            else
            {
                _retained[message.Topic] = Copy(message, payload, retain: true);
            }
        }

        return !_subscribers.TryGetValue(topic.DeviceId, out var subscriber)
            || !subscriber.Has(topic.Kind)
            || Enqueue(subscriber.Session, copy);
    }

    /// <summary>
    /// A device subscribed to one of its to-device topics: remembers its session (a new session after a
    /// clean start replaces the old one) and sends the retained message. MQTTnet is told not to record the
    /// subscription, so its dispatch never checks this session.
    /// </summary>
    public void Subscribed(string deviceId, DeviceTopicKind kind, MqttSessionStatus session, IDictionary sessionItems, MqttRetainHandling retainHandling)
    {
        ArgumentNullException.ThrowIfNull(session);
        var subscriber = _subscribers.AddOrUpdate(
            deviceId,
            _ => new Subscriber(session, sessionItems),
            (_, existing) => ReferenceEquals(existing.Items, sessionItems) ? existing : new Subscriber(session, sessionItems));
        var isNew = subscriber.Add(kind);
        var send = retainHandling switch
        {
            MqttRetainHandling.DoNotSendOnSubscribe => false,
            MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly => isNew,
            _ => true,
        };
        if (send && _retained.TryGetValue(DeviceTopics.For(deviceId, kind), out var retained))
        {
            Enqueue(session, retained);
        }
    }

    public void Unsubscribed(string deviceId, DeviceTopicKind kind, IDictionary sessionItems)
    {
        if (_subscribers.TryGetValue(deviceId, out var subscriber) && ReferenceEquals(subscriber.Items, sessionItems))
        {
            subscriber.Remove(kind);
        }
    }

    /// <summary>MQTTnet deleted a session: forget it, unless the device already has a newer one.</summary>
    public void SessionDeleted(string clientId, IDictionary sessionItems)
    {
        if (_subscribers.TryGetValue(clientId, out var subscriber) && ReferenceEquals(subscriber.Items, sessionItems))
        {
            _subscribers.TryRemove(new KeyValuePair<string, Subscriber>(clientId, subscriber));
        }
    }

    /// <summary>A controller-credentialed subscription; counted when its filter can match a to-device topic.</summary>
    public void ControllerSubscribed(string filter)
    {
        if (MatchesToDeviceTopics(filter))
        {
            Interlocked.Increment(ref _monitors);
        }
    }

    /// <summary>
    /// Whether a filter matches some device's desired, trust or cmd topic: <c>fleet/v1/dev/#</c> does, the
    /// controller's own <c>fleet/v1/dev/+/status</c> does not.
    /// </summary>
    public static bool MatchesToDeviceTopics(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var levels = filter.Split('/');
        var id = levels.Length > 3 && levels[3] is not ("+" or "#") && DeviceId.Validate(levels[3]) is null ? levels[3] : "any";
        return new[] { DeviceTopicKind.Desired, DeviceTopicKind.Trust, DeviceTopicKind.Command }
            .Any(kind => MqttTopicFilterComparer.Compare(DeviceTopics.For(id, kind), filter) == MqttTopicFilterCompareResult.IsMatch);
    }

    private static bool Enqueue(MqttSessionStatus session, MqttApplicationMessage message)
    {
        try
        {
            return session.TryEnqueueApplicationMessage(message, out _);
        }
        catch (ObjectDisposedException)
        {
            // A session replaced by a clean start a moment ago; the device's new one subscribes and gets the retained copy.
            return true;
        }
    }

    private static MqttApplicationMessage Copy(MqttApplicationMessage message, ReadOnlySequence<byte> payload, bool retain) => new()
    {
        Topic = message.Topic,
        Payload = payload,
        QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
        Retain = retain,
        ContentType = message.ContentType,
        PayloadFormatIndicator = message.PayloadFormatIndicator,
        MessageExpiryInterval = message.MessageExpiryInterval,
        ResponseTopic = message.ResponseTopic,
        CorrelationData = message.CorrelationData?.ToArray(),
        UserProperties = message.UserProperties?.ToList(),
    };

    /// <summary>One device's current session and which of its to-device topics it subscribed to.</summary>
    private sealed class Subscriber(MqttSessionStatus session, IDictionary items)
    {
        private int _kinds;

        public MqttSessionStatus Session { get; } = session;

        /// <summary>The session's items dictionary: one per session, so it tells a session from its replacement.</summary>
        public IDictionary Items { get; } = items;

        public bool Has(DeviceTopicKind kind) => (Volatile.Read(ref _kinds) & Bit(kind)) != 0;

        /// <summary>Answers whether the subscription is new.</summary>
        public bool Add(DeviceTopicKind kind) => (Interlocked.Or(ref _kinds, Bit(kind)) & Bit(kind)) == 0;

        public void Remove(DeviceTopicKind kind) => Interlocked.And(ref _kinds, ~Bit(kind));

        private static int Bit(DeviceTopicKind kind) => 1 << (int)kind;
    }
}
