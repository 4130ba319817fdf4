// Docker.DotNet's models annotate optional fields as non-null; null leaves the engine's default.
#nullable disable warnings
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Labels;
using Fleet.Compose.Model;
using Fleet.Reconcile.Naming;

namespace Fleet.Agent.Docker.Execute;

/// <summary>The engine settings of the project's networks and volumes, as docker compose creates them.</summary>
internal static class ResourceSpecs
{
    public static NetworksCreateParameters Network(ComposeProject project, string key)
    {
        project.Networks.TryGetValue(key, out var network);
        return new NetworksCreateParameters
        {
            Name = ComposeNaming.Network(project, key),
            Driver = network?.Driver,
            Options = network is null ? null : new Dictionary<string, string>(network.DriverOpts, StringComparer.Ordinal),
            Labels = Labels(project, ComposeLabels.Network, key, network?.Labels ?? ComposeCollections.EmptyMap<string>()),
            Internal = network?.Internal ?? false,
            Attachable = network?.Attachable ?? false,
            EnableIPv6 = network?.EnableIpv6,
            IPAM = network?.Ipam is { } ipam
                ? new IPAM
                {
                    Driver = ipam.Driver,
                    Options = new Dictionary<string, string>(ipam.Options, StringComparer.Ordinal),
                    Config = [.. ipam.Config.Select(c => new IPAMConfig
                    {
                        Subnet = c.Subnet,
                        IPRange = c.IpRange,
                        Gateway = c.Gateway,
                        AuxAddress = new Dictionary<string, string>(c.AuxAddresses, StringComparer.Ordinal),
                    })],
                }
                : null,
        };
    }

    public static VolumesCreateParameters Volume(ComposeProject project, string key)
    {
        project.Volumes.TryGetValue(key, out var volume);
        return new VolumesCreateParameters
        {
            Name = ComposeNaming.Volume(project, key),
            Driver = volume?.Driver,
            DriverOpts = volume is null ? null : new Dictionary<string, string>(volume.DriverOpts, StringComparer.Ordinal),
            Labels = Labels(project, ComposeLabels.Volume, key, volume?.Labels ?? ComposeCollections.EmptyMap<string>()),
        };
    }

    /// <summary>Labels that make docker compose see a network or volume as the project's.</summary>
    private static Dictionary<string, string> Labels(ComposeProject project, string labelName, string key, IEnumerable<KeyValuePair<string, string>> own) =>
        new(own, StringComparer.Ordinal)
        {
            [ComposeLabels.Project] = project.Name,
            [labelName] = key,
            [ComposeLabels.Managed] = "true",
        };
}
