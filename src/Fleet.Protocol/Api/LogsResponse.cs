namespace Fleet.Protocol.Api;

/// <summary>
/// <c>GET /api/v1/devices/{id}/logs?service=S&amp;stack=N&amp;tail=100&amp;since=600</c> (since in seconds):
/// relayed to the device's <c>cmd</c> topic and back. An offline device answers 409 <c>device-offline</c>,
/// no answer in time 504 <c>timeout</c>.
/// </summary>
public sealed record LogsResponse
{
    public required string Device { get; init; }

    public required string Stack { get; init; }

    public required string Service { get; init; }

    public required string Text { get; init; }
}
