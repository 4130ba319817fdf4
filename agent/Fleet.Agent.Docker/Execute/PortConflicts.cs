using Docker.DotNet;
using Docker.DotNet.Models;

namespace Fleet.Agent.Docker.Execute;

/// <summary>
/// Turns the engine's port errors ("Bind for 127.0.0.1:8080 failed: port is already allocated",
/// "listen tcp4 0.0.0.0:8080: bind: address already in use") into which port and who holds it.
/// </summary>
internal static class PortConflicts
{
    public static async Task<string> DescribeAsync(IDockerClient client, string containerId, string engineError, CancellationToken cancellationToken)
    {
        if (!engineError.Contains("port is already allocated", StringComparison.Ordinal)
            && !engineError.Contains("address already in use", StringComparison.Ordinal))
        {
            return engineError;
        }

        var inspected = await client.Containers.InspectContainerAsync(containerId, cancellationToken);
        foreach (var binding in (inspected.HostConfig?.PortBindings ?? new Dictionary<string, IList<PortBinding>>()).SelectMany(b => b.Value ?? []))
        {
            var hostIp = string.IsNullOrEmpty(binding.HostIP) ? "0.0.0.0" : binding.HostIP;
            var address = $"{hostIp}:{binding.HostPort}";
            if (!engineError.Contains(address, StringComparison.Ordinal) && !engineError.Contains($":{binding.HostPort} ", StringComparison.Ordinal)
                && !engineError.Contains($":{binding.HostPort}:", StringComparison.Ordinal))
            {
                continue;
            }

            var holder = await HolderAsync(client, containerId, binding.HostPort, cancellationToken);
            return $"port {address} is already in use by {holder}";
        }

        return engineError;
    }

    private static async Task<string> HolderAsync(IDockerClient client, string self, string hostPort, CancellationToken cancellationToken)
    {
        if (!ushort.TryParse(hostPort, out var port))
        {
            return "another process";
        }

        var running = await client.Containers.ListContainersAsync(new ContainersListParameters(), cancellationToken);
        var holder = running.FirstOrDefault(c => c.ID != self && (c.Ports ?? []).Any(p => p.PublicPort == port));
        return holder is null ? "a process outside Docker" : $"container {holder.Names?.FirstOrDefault()?.TrimStart('/') ?? holder.ID[..12]}";
    }
}
