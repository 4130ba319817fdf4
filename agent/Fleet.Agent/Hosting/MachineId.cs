using Fleet.Protocol.Topics;

namespace Fleet.Agent.Hosting;

/// <summary>The default device id: systemd's machine id, stable and unique per installation.</summary>
public static class MachineId
{
    public static string? Read(string path = "/etc/machine-id") =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } id && DeviceId.IsValid(id) ? id : null;
}
