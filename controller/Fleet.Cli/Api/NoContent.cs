namespace Fleet.Cli.Api;

/// <summary>The value of a call the controller answers with 204 and no body.</summary>
internal sealed record NoContent
{
    public static NoContent Instance { get; } = new();
}
