using System.Diagnostics.CodeAnalysis;

namespace Fleet.Protocol.Topics;

/// <summary>
/// Builds and parses the device topics <c>fleet/v1/dev/{id}/desired|cmd|reply/...|status|events|online</c>.
/// Builders throw on an invalid id (a bug: ids are validated when a device enrolls);
/// parsers return false for anything that is not exactly a v1 device topic.
/// </summary>
public static class DeviceTopics
{
    public const string Prefix = "fleet/v1/dev/";

    /// <summary>Every Fleet topic is published and subscribed with QoS 1 (at least once).</summary>
    public const int QualityOfService = 1;

    private const string DesiredLevel = "desired";
    private const string CommandLevel = "cmd";
    private const string ReplyLevel = "reply";
    private const string StatusLevel = "status";
    private const string EventsLevel = "events";
    private const string OnlineLevel = "online";
    private const string TrustLevel = "trust";

    public static string Desired(string deviceId) => For(deviceId, DeviceTopicKind.Desired);

    public static string Command(string deviceId) => For(deviceId, DeviceTopicKind.Command);

    public static string Status(string deviceId) => For(deviceId, DeviceTopicKind.Status);

    public static string Events(string deviceId) => For(deviceId, DeviceTopicKind.Events);

    public static string Online(string deviceId) => For(deviceId, DeviceTopicKind.Online);

    public static string Trust(string deviceId) => For(deviceId, DeviceTopicKind.Trust);

    /// <summary><c>fleet/v1/dev/{id}/reply/{replyPath}</c>; the path is one or more levels without wildcards.</summary>
    public static string Reply(string deviceId, string replyPath)
    {
        RequireDeviceId(deviceId);
        if (ValidateReplyPath(replyPath) is { } error)
        {
            throw new ArgumentException(error, nameof(replyPath));
        }

        return string.Concat(Prefix, deviceId, "/", ReplyLevel, "/", replyPath);
    }

    /// <summary>The topic of a kind that takes no extra levels (every kind but <see cref="DeviceTopicKind.Reply"/>).</summary>
    public static string For(string deviceId, DeviceTopicKind kind)
    {
        RequireDeviceId(deviceId);
        if (kind == DeviceTopicKind.Reply)
        {
            throw new ArgumentException("a reply topic needs a reply path; use Reply(deviceId, replyPath)", nameof(kind));
        }

        return string.Concat(Prefix, deviceId, "/", Level(kind));
    }

    /// <summary>Which topics carry retained messages: desired, trust, status and online.</summary>
    public static bool IsRetained(DeviceTopicKind kind) =>
        kind is DeviceTopicKind.Desired or DeviceTopicKind.Trust or DeviceTopicKind.Status or DeviceTopicKind.Online;

    /// <summary>Which topics the controller publishes and the device subscribes to: desired, trust and cmd.</summary>
    public static bool IsToDevice(DeviceTopicKind kind) =>
        kind is DeviceTopicKind.Desired or DeviceTopicKind.Trust or DeviceTopicKind.Command;

    /// <summary>The last level (or, for replies, the first level after the id) of a kind.</summary>
    public static string Level(DeviceTopicKind kind) => kind switch
    {
        DeviceTopicKind.Desired => DesiredLevel,
        DeviceTopicKind.Command => CommandLevel,
        DeviceTopicKind.Reply => ReplyLevel,
        DeviceTopicKind.Status => StatusLevel,
        DeviceTopicKind.Events => EventsLevel,
        DeviceTopicKind.Online => OnlineLevel,
        DeviceTopicKind.Trust => TrustLevel,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown device topic kind"),
    };

    public static bool TryParse(string? topic, [NotNullWhen(true)] out DeviceTopic? parsed)
    {
        parsed = null;
        if (topic is null || !topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = topic.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var deviceId = rest[..slash].ToString();
        if (!DeviceId.IsValid(deviceId))
        {
            return false;
        }

        var tail = rest[(slash + 1)..];
        DeviceTopicKind? kind = tail switch
        {
            DesiredLevel => DeviceTopicKind.Desired,
            CommandLevel => DeviceTopicKind.Command,
            StatusLevel => DeviceTopicKind.Status,
            EventsLevel => DeviceTopicKind.Events,
            OnlineLevel => DeviceTopicKind.Online,
            TrustLevel => DeviceTopicKind.Trust,
            _ => null,
        };
        if (kind is { } simple)
        {
            parsed = new DeviceTopic(deviceId, simple);
            return true;
        }

        if (tail.StartsWith(ReplyLevel + "/", StringComparison.Ordinal))
        {
            var replyPath = tail[(ReplyLevel.Length + 1)..].ToString();
            if (ValidateReplyPath(replyPath) is null)
            {
                parsed = new DeviceTopic(deviceId, DeviceTopicKind.Reply, replyPath);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when <paramref name="topic"/> is a reply topic of this device. The agent checks the
    /// response topic of every command with this before it publishes, so that a command cannot
    /// make it write anywhere else (the broker's ACL would refuse it too).
    /// </summary>
    public static bool IsReplyTopicOf(string deviceId, string? topic) =>
        TryParse(topic, out var parsed) && parsed.Kind == DeviceTopicKind.Reply &&
        string.Equals(parsed.DeviceId, deviceId, StringComparison.Ordinal);

    /// <summary>Returns null when the path is one or more non-empty levels without <c>+</c> or <c>#</c>.</summary>
    public static string? ValidateReplyPath(string? replyPath)
    {
        if (string.IsNullOrEmpty(replyPath))
        {
            return "reply path is empty";
        }

        foreach (var level in replyPath.Split('/'))
        {
            if (TopicLevel.Validate(level) is { } error)
            {
                return "reply path: " + error;
            }
        }

        return null;
    }

    private static void RequireDeviceId(string deviceId)
    {
        if (DeviceId.Validate(deviceId) is { } error)
        {
            throw new ArgumentException(error, nameof(deviceId));
        }
    }
}
