using Docker.DotNet.Models;
using Fleet.Agent.Docker.Containers;
using Fleet.Agent.Docker.Labels;

namespace Fleet.Agent.Docker.Observe;

/// <summary>
/// Compares a network the engine has with the settings the stack gives it (driver, driver options, internal,
/// attachable, IPv6, labels, IPAM). What the engine chooses itself (a subnet when the file gives none, a
/// gateway when only a subnet is given) is not a difference, nor is an attachable network the file does not ask
/// to be attachable: docker-compose 1.29 makes every network attachable, which means nothing without swarm.
/// </summary>
public static class NetworkDriftDetector
{
    /// <summary>The first difference found, as a short phrase, or null when the network is what the stack asks for.</summary>
    public static string? Describe(NetworksCreateParameters want, NetworkResponse have)
    {
        ArgumentNullException.ThrowIfNull(want);
        ArgumentNullException.ThrowIfNull(have);
        return DriftDetector.Differ("driver", want.Driver ?? "bridge", have.Driver ?? "bridge")
            ?? DriftDetector.SameSet("driver_opts", Pairs(want.Options), Pairs(have.Options))
            ?? DriftDetector.Differ("internal", want.Internal, have.Internal)
            ?? (want.Attachable && !have.Attachable ? "attachable is False, wants True" : null)
            ?? DriftDetector.Differ("enable_ipv6", want.EnableIPv6 ?? false, have.EnableIPv6)
            ?? DriftDetector.SameSet("labels", UserLabels(want.Labels), UserLabels(have.Labels))
            ?? Ipam(want.IPAM, have.IPAM, want.EnableIPv6 ?? false);
    }

    private static string? Ipam(IPAM? want, IPAM? have, bool ipv6)
    {
        if (want is null)
        {
            return null; // the engine picked the pools: nothing to compare them with
        }

        var pools = have?.Config ?? [];
        var drift = DriftDetector.Differ("ipam driver", string.IsNullOrEmpty(want.Driver) ? "default" : want.Driver, string.IsNullOrEmpty(have?.Driver) ? "default" : have.Driver)
            ?? DriftDetector.SameSet("ipam options", Pairs(want.Options), Pairs(have?.Options));
        if (drift is not null)
        {
            return drift;
        }

        foreach (var pool in want.Config ?? [])
        {
            var match = pools.FirstOrDefault(p => p.Subnet == pool.Subnet);
            if (match is null)
            {
                return $"ipam has no pool {pool.Subnet}";
            }

            drift = (string.IsNullOrEmpty(pool.IPRange) ? null : DriftDetector.Differ($"ipam {pool.Subnet} ip_range", pool.IPRange, match.IPRange))
                ?? (string.IsNullOrEmpty(pool.Gateway) ? null : DriftDetector.Differ($"ipam {pool.Subnet} gateway", pool.Gateway, match.Gateway))
                ?? DriftDetector.SameSet($"ipam {pool.Subnet} aux_addresses", Pairs(pool.AuxAddress), Pairs(match.AuxAddress));
            if (drift is not null)
            {
                return drift;
            }
        }

        // A pool the file no longer has; with IPv6 on, the engine may add an IPv6 pool of its own choosing.
        var wanted = (want.Config ?? []).Select(p => p.Subnet).ToHashSet(StringComparer.Ordinal);
        var extra = (want.Config ?? []).Count > 0 && !ipv6 ? pools.FirstOrDefault(p => !wanted.Contains(p.Subnet)) : null;
        return extra is null ? null : $"ipam has pool {extra.Subnet}, which the file no longer declares";
    }

    private static List<string> Pairs(IDictionary<string, string>? map) =>
        map?.Select(p => $"{p.Key}={p.Value}").ToList() ?? [];

    private static List<string> UserLabels(IDictionary<string, string>? labels) =>
        labels?.Where(l => !ComposeLabels.IsComposeOwned(l.Key)).Select(l => $"{l.Key}={l.Value}").ToList() ?? [];
}
