namespace Fleet.Protocol.Api;

/// <summary><c>PATCH /api/v1/devices/{id}/labels</c>: labels to set and keys to remove; answers the DeviceSummary.</summary>
public sealed record LabelUpdate
{
    public IReadOnlyDictionary<string, string> Set { get; set; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Remove { get; set; } = [];
}
