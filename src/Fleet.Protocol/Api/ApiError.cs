namespace Fleet.Protocol.Api;

/// <summary>
/// Every non-2xx answer of the controller's REST API: a stable kebab-case code and one line for a
/// human (the console prints it as is). Codes: unauthorized, not-found, invalid-request, invalid-compose,
/// conflict, device-offline, timeout, not-ready (no certified signing key yet).
/// </summary>
public sealed record ApiError
{
    public required string Error { get; init; }

    public required string Message { get; init; }
}
