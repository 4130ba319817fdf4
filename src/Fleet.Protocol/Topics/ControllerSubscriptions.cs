namespace Fleet.Protocol.Topics;

/// <summary>
/// The topic filters a controller subscribes to. Device-to-controller traffic goes through MQTT v5
/// shared subscriptions so several controller instances split the load on a clustered broker.
/// Command replies do not: the instance that sent a command waits for its reply, so each instance
/// puts its own id into the response topic and subscribes to that alone.
/// </summary>
public static class ControllerSubscriptions
{
    public const string DefaultGroup = "fleet-controllers";

    /// <summary><c>$share/{group}/fleet/v1/dev/+/{status|events|online}</c>.</summary>
    public static string Shared(DeviceTopicKind kind, string group = DefaultGroup)
    {
        if (kind is not (DeviceTopicKind.Status or DeviceTopicKind.Events or DeviceTopicKind.Online))
        {
            throw new ArgumentException($"controllers do not subscribe to {kind} with a shared subscription", nameof(kind));
        }

        RequireLevel(group, nameof(group));
        return string.Concat("$share/", group, "/", DeviceTopics.Prefix, "+/", DeviceTopics.Level(kind));
    }

    /// <summary>
    /// <c>fleet/v1/dev/+/online</c>, not shared: a shared subscription gets no retained messages, so a controller
    /// started (or restarted) while devices stay connected would never learn they are online. Presence is one
    /// message per connect and disconnect, so every instance taking all of it costs little.
    /// </summary>
    public static string Presence { get; } = string.Concat(DeviceTopics.Prefix, "+/", DeviceTopics.Level(DeviceTopicKind.Online));

    /// <summary>What a controller subscribes to for device traffic on a broker with shared subscriptions: status and events shared, <see cref="Presence"/> not.</summary>
    public static IReadOnlyList<string> ForDeviceTraffic(string group = DefaultGroup) =>
    [
        Shared(DeviceTopicKind.Status, group),
        Shared(DeviceTopicKind.Events, group),
        Presence,
    ];

    /// <summary><c>fleet/v1/dev/+/reply/{instanceId}/#</c>: replies to the commands this instance sent.</summary>
    public static string Replies(string instanceId)
    {
        RequireLevel(instanceId, nameof(instanceId));
        return string.Concat(DeviceTopics.Prefix, "+/", DeviceTopics.Level(DeviceTopicKind.Reply), "/", instanceId, "/#");
    }

    /// <summary>The response topic a controller instance sets on a command it sends.</summary>
    public static string ResponseTopic(string deviceId, string instanceId, string commandId)
    {
        RequireLevel(instanceId, nameof(instanceId));
        RequireLevel(commandId, nameof(commandId));
        return DeviceTopics.Reply(deviceId, instanceId + "/" + commandId);
    }

    private static void RequireLevel(string value, string parameterName)
    {
        if (TopicLevel.Validate(value) is { } error)
        {
            throw new ArgumentException(error, parameterName);
        }
    }
}
