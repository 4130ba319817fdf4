using System.Text.Json.Serialization;

namespace Fleet.Agent.Bundles;

[JsonConverter(typeof(JsonStringEnumConverter<BundleImportOutcome>))]
public enum BundleImportOutcome
{
    /// <summary>Verified, images loaded and checked, desired state stored: the agent applies it.</summary>
    Accepted,

    /// <summary>The version this device already accepted: nothing to do.</summary>
    Duplicate,

    /// <summary>Refused with a reason, journalled as a <c>rejected</c> event; nothing changed.</summary>
    Rejected,
}
