namespace Fleet.Reconcile.Planning;

/// <summary>The pull policies of the Compose Specification, reduced to what a device does.</summary>
public static class PullPolicies
{
    public const string Always = "always";
    public const string Missing = "missing";
    public const string Never = "never";
    public const string Build = "build";

    /// <summary>
    /// <c>if_not_present</c> is the old spelling of missing; <c>daily</c>, <c>weekly</c> and
    /// <c>every_*</c> need a record of the last pull that an engine label cannot give, so they act as missing.
    /// </summary>
    public static string Normalize(string? policy) => policy switch
    {
        null or "" or "missing" or "if_not_present" => Missing,
        "always" => Always,
        "never" => Never,
        "build" => Build,
        _ => Missing,
    };
}
