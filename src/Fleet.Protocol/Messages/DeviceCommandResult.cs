namespace Fleet.Protocol.Messages;

/// <summary>The reply to a <see cref="DeviceCommand"/>: <c>ok</c> with optional output, or an error.</summary>
public sealed record DeviceCommandResult
{
    public string? Id { get; init; }

    public required bool Ok { get; init; }

    /// <summary>logs: the text; other kinds: an optional one-line summary.</summary>
    public string? Output { get; init; }

    public ErrorDetail? Error { get; init; }

    /// <summary>resend-events: what the device queued again; null for other kinds.</summary>
    public EventResendResult? Resend { get; init; }

    public static DeviceCommandResult Success(string? id, string? output = null) =>
        new() { Id = id, Ok = true, Output = output };

    public static DeviceCommandResult Failure(string? id, string code, string message) =>
        new() { Id = id, Ok = false, Error = new ErrorDetail { Code = code, Message = message } };
}
