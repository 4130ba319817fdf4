namespace Fleet.Reconcile.Planning;

public sealed record PlanOptions
{
    /// <summary>
    /// False once the images are downloaded: the apply plans again with the pulled image IDs
    /// known, and must not pull a second time.
    /// </summary>
    public bool IncludePulls { get; init; } = true;

    public static PlanOptions Default { get; } = new();
}
