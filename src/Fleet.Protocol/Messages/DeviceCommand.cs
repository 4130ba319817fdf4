namespace Fleet.Protocol.Messages;

/// <summary>
/// A request on <c>fleet/v1/dev/{id}/cmd</c>; the reply goes to the MQTT v5 response topic with the
/// same correlation data. Named DeviceCommand so it does not clash with System.CommandLine's Command.
/// </summary>
public sealed record DeviceCommand
{
    /// <summary>Chosen by the sender, echoed in the result.</summary>
    public required string Id { get; init; }

    /// <summary>One of <see cref="CommandKinds"/>; anything else gets an <c>unknown-command</c> error reply.</summary>
    public required string Kind { get; init; }

    public CommandArgs? Args { get; init; }
}
