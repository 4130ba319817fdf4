using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Fleet.Compose.Model;
using Fleet.Compose.Yaml;

namespace Fleet.Compose.Loading;

/// <summary>Ports in short syntax <c>[HOST_IP:][HOST_PORT[-END]:]PORT[-END][/PROTOCOL]</c> and long syntax.</summary>
internal static class PortParser
{
    private static readonly string[] LongKeys = ["target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"];

    public static ImmutableArray<ServicePort> Read(YamlNode node, string service, LoadContext context)
    {
        var reader = context.Reader;
        if (node is YamlScalar { IsNull: true })
        {
            return [];
        }

        if (node is not YamlSequence sequence)
        {
            context.Diagnostics.Error(node, service, "ports", $"must be a list, not {node.KindName}");
            return [];
        }

        var ports = ImmutableArray.CreateBuilder<ServicePort>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var item = sequence.Items[i];
            var field = NodeReader.Index("ports", i);
            if (item is YamlMapping mapping)
            {
                reader.CheckKeys(mapping, service, field, LongKeys);
                if (ReadLong(mapping, service, field, context) is { } port)
                {
                    ports.Add(port);
                }
            }
            else if (reader.String(item, service, field) is { } text)
            {
                var (parsed, error) = ParseShort(text);
                if (error is not null)
                {
                    context.Diagnostics.Error(item, service, field, error);
                }
                else
                {
                    ports.AddRange(parsed);
                }
            }
        }

        return ports.ToImmutable();
    }

    private static ServicePort? ReadLong(YamlMapping mapping, string service, string field, LoadContext context)
    {
        var reader = context.Reader;
        if (mapping["target"] is not { } targetNode)
        {
            context.Diagnostics.Error(mapping, service, field, "a port in long syntax needs \"target\"");
            return null;
        }

        var targetText = reader.String(targetNode, service, field + ".target");
        if (targetText is null || !TryPort(targetText, out var target))
        {
            context.Diagnostics.Error(targetNode, service, field + ".target", $"invalid port \"{targetText}\": must be 1-65535");
            return null;
        }

        string? published = null;
        if (mapping["published"] is { } publishedNode && reader.String(publishedNode, service, field + ".published") is { } p)
        {
            if (!TryRange(p, out var low, out var high))
            {
                context.Diagnostics.Error(publishedNode, service, field + ".published", $"invalid port \"{p}\": must be 1-65535 or a range such as 8000-8010");
                return null;
            }

            published = Render(low, high);
        }

        var protocol = mapping["protocol"] is { } protocolNode ? reader.String(protocolNode, service, field + ".protocol") : null;
        var mode = mapping["mode"] is { } modeNode ? reader.String(modeNode, service, field + ".mode") : null;
        if (protocol is not null && !IsProtocol(protocol))
        {
            context.Diagnostics.Error(mapping["protocol"]!, service, field + ".protocol", $"invalid protocol \"{protocol}\": must be tcp, udp or sctp");
        }

        if (mode is not null and not "ingress" and not "host")
        {
            context.Diagnostics.Error(mapping["mode"]!, service, field + ".mode", $"invalid mode \"{mode}\": must be ingress or host");
        }

        var ipNode = mapping["host_ip"];
        var hostIp = ipNode is null ? null : reader.String(ipNode, service, field + ".host_ip");
        if (hostIp is not null && !IPAddress.TryParse(hostIp, out _))
        {
            context.Diagnostics.Error(ipNode!, service, field + ".host_ip", $"invalid IP address \"{hostIp}\"");
        }

        return new ServicePort
        {
            Target = target,
            Published = published,
            HostIp = hostIp,
            Protocol = protocol?.ToLowerInvariant() ?? "tcp",
            Mode = mode ?? "ingress",
            Name = mapping["name"] is { } name ? reader.String(name, service, field + ".name") : null,
            AppProtocol = mapping["app_protocol"] is { } app ? reader.String(app, service, field + ".app_protocol") : null,
        };
    }

    public static (List<ServicePort> Ports, string? Error) ParseShort(string text)
    {
        var spec = text.Trim();
        var protocol = "tcp";
        var slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..].ToLowerInvariant();
            spec = spec[..slash];
            if (!IsProtocol(protocol))
            {
                return ([], $"invalid protocol \"{protocol}\" in \"{text}\": must be tcp, udp or sctp");
            }
        }

        string? hostIp = null;
        if (spec.StartsWith('['))
        {
            var close = spec.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return ([], $"invalid port \"{text}\": an IPv6 host address is written [::1]:8080:80");
            }

            hostIp = spec[1..close];
            spec = spec[(close + 2)..];
        }

        var parts = spec.Split(':');
        string targetText;
        string? publishedText = null;
        switch (parts.Length)
        {
            case 1:
                targetText = parts[0];
                break;
            case 2:
                (publishedText, targetText) = (parts[0], parts[1]);
                break;
            default:
                if (hostIp is not null)
                {
                    return ([], $"invalid port \"{text}\": expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]");
                }

                hostIp = string.Join(':', parts[..^2]);
                (publishedText, targetText) = (parts[^2], parts[^1]);
                break;
        }

        if (!TryRange(targetText, out var targetLow, out var targetHigh))
        {
            return ([], $"invalid port \"{targetText}\": must be 1-65535");
        }

        int publishedLow = 0, publishedHigh = 0;
        if (!string.IsNullOrEmpty(publishedText) && !TryRange(publishedText, out publishedLow, out publishedHigh))
        {
            return ([], $"invalid port \"{publishedText}\": must be 1-65535");
        }

        if (!string.IsNullOrEmpty(hostIp) && !IPAddress.TryParse(hostIp, out _))
        {
            return ([], $"invalid host IP \"{hostIp}\" in \"{text}\"");
        }

        var targetCount = targetHigh - targetLow + 1;
        var ports = new List<ServicePort>(targetCount);
        var hasPublished = !string.IsNullOrEmpty(publishedText);
        if (targetCount > 1 && hasPublished && publishedHigh - publishedLow + 1 != targetCount)
        {
            return ([], $"invalid port range \"{text}\": host range and container range must be the same length");
        }

        for (var offset = 0; offset < targetCount; offset++)
        {
            string? published = !hasPublished ? null
                : targetCount > 1 ? (publishedLow + offset).ToString(CultureInfo.InvariantCulture)
                : Render(publishedLow, publishedHigh);
            ports.Add(new ServicePort
            {
                Target = targetLow + offset,
                Published = published,
                HostIp = string.IsNullOrEmpty(hostIp) ? null : hostIp,
                Protocol = protocol,
            });
        }

        return (ports, null);
    }

    private static string Render(int low, int high) =>
        low == high ? low.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{low}-{high}");

    private static bool IsProtocol(string protocol) => protocol.ToLowerInvariant() is "tcp" or "udp" or "sctp";

    private static bool TryRange(string text, out int low, out int high)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            var ok = TryPort(text, out low);
            high = low;
            return ok;
        }

        high = 0;
        return TryPort(text[..dash], out low) && TryPort(text[(dash + 1)..], out high) && high >= low;
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
