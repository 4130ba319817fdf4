namespace Fleet.Protocol.Topics;

/// <summary>The device topics of protocol v1, under <c>fleet/v1/dev/{id}/</c>.</summary>
public enum DeviceTopicKind
{
    /// <summary><c>desired</c>: controller to device, retained, QoS 1, signed envelope of a DesiredState.</summary>
    Desired,

    /// <summary><c>cmd</c>: controller to device, QoS 1, with message expiry, response topic and correlation data.</summary>
    Command,

    /// <summary><c>reply/...</c>: device to controller, QoS 1, a DeviceCommandResult.</summary>
    Reply,

    /// <summary><c>status</c>: device to controller, retained, QoS 1, the full DeviceStatus.</summary>
    Status,

    /// <summary><c>events</c>: device to controller, QoS 1, an EventBatch.</summary>
    Events,

    /// <summary><c>trust</c>: controller to device, retained, QoS 1, TrustDocuments (signing-key certificates, revocation list).</summary>
    Trust,

    /// <summary><c>online</c>: device to controller, retained, <c>online</c> or (last will) <c>offline</c>.</summary>
    Online,
}
