namespace Fleet.Protocol.Enrollment;

/// <summary>What <c>fleet-agent enroll</c> sends to the controller to exchange a one-time token for credentials.</summary>
public sealed record EnrollmentRequest
{
    public required string Token { get; init; }

    /// <summary>The device id the agent asks for (by default its machine id); the controller validates it.</summary>
    public required string DeviceId { get; init; }

    /// <summary>Labels from the command line; the token's labels are added by the controller.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();
}
