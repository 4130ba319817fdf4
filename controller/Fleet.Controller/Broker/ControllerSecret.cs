namespace Fleet.Controller.Broker;

/// <summary>The controller's own password on the embedded broker: new on every start, never stored.</summary>
public sealed record ControllerSecret(string Value);
