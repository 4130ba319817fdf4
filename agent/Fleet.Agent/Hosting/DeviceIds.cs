using System.Text.RegularExpressions;

namespace Fleet.Agent.Hosting;

/// <summary>Device ids fill one whole MQTT topic level: lower-case letters, digits, '.', '_' and '-'.</summary>
public static partial class DeviceIds
{
    public static bool IsValid(string id) => Pattern().IsMatch(id);

    /// <summary>The machine id (/etc/machine-id), which systemd guarantees is stable and unique.</summary>
    public static string? FromMachineId(string path = "/etc/machine-id") =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } id && IsValid(id) ? id : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
