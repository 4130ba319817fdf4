using Fleet.Protocol.Topics;

namespace Fleet.Controller.Broker;

/// <summary>
/// The embedded broker's ACL, as strict as deploy/mosquitto's: a device subscribes only to its
/// own desired, trust and cmd topics (exact filters, no wildcards), and publishes only its own
/// status, events, online and replies. Retained publishes are allowed only where the protocol
/// retains (status, online); desired and trust are the controller's alone. Pure, so every rule
/// is tested without a broker.
/// </summary>
public static class BrokerAccessPolicy
{
    /// <summary>A device's client id must be its device id, which is also its user name.</summary>
    public static AccessDecision Connect(string? clientId, string? userName)
    {
        if (DeviceId.Validate(clientId) is { } invalid)
        {
            return AccessDecision.Deny($"client id refused: {invalid}");
        }

        return clientId == userName
            ? AccessDecision.Allow
            : AccessDecision.Deny($"client id '{clientId}' is not the device id '{userName}' the credentials belong to");
    }

    public static AccessDecision Subscribe(BrokerIdentity identity, string filter)
    {
        if (identity.IsController)
        {
            return AccessDecision.Allow;
        }

        var id = identity.DeviceId!;
        return filter == DeviceTopics.Desired(id) || filter == DeviceTopics.Trust(id) || filter == DeviceTopics.Command(id)
            ? AccessDecision.Allow
            : AccessDecision.Deny($"device {id} may subscribe only to its own desired, trust and cmd topics, not '{filter}'");
    }

    public static AccessDecision Publish(BrokerIdentity identity, string topic, bool retain)
    {
        if (identity.IsController)
        {
            return AccessDecision.Allow;
        }

        var id = identity.DeviceId!;
        if (!DeviceTopics.TryParse(topic, out var parsed) || parsed.DeviceId != id)
        {
            return AccessDecision.Deny($"device {id} may publish only under its own topics, not '{topic}'");
        }

        return parsed.Kind switch
        {
            DeviceTopicKind.Status or DeviceTopicKind.Online => AccessDecision.Allow,
            DeviceTopicKind.Events or DeviceTopicKind.Reply when !retain => AccessDecision.Allow,
            DeviceTopicKind.Events or DeviceTopicKind.Reply => AccessDecision.Deny($"device {id} may not retain on '{topic}'"),
            _ => AccessDecision.Deny($"only the controller publishes to '{topic}'"),
        };
    }
}
