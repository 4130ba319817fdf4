namespace Fleet.Controller.Devices;

/// <summary>A device to ask for its events in (<see cref="AfterSeq"/>, <see cref="ThroughSeq"/>] again.</summary>
public sealed record EventResendRequest(string DeviceId, long AfterSeq, long ThroughSeq);
