using System.Globalization;
using Fleet.Cli.Output;
using Fleet.Protocol.Api;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fleet.Cli.Rendering;

/// <summary><c>fleet devices</c> and <c>fleet device show</c> as text.</summary>
internal static class DeviceViews
{
    public static Table List(IReadOnlyList<DeviceSummary> devices, DateTimeOffset now, CliOutput output)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(output);
        var table = output.Table("DEVICE", "LABELS", "ONLINE", "STACKS", "PHASE", "LAST SEEN");
        foreach (var device in devices)
        {
            var online = device.Online ? "online" : "offline";
            table.AddRow(
                Cells.Text(device.Id),
                Cells.Text(Cells.Labels(device.Labels)),
                Cells.Text(device.Online ? "yes" : "no", Cells.ColorOf(online), output.Color),
                Cells.Text(Cells.Stacks(device.Stacks)),
                Cells.Text(device.Phase, Cells.ColorOf(device.Phase), output.Color),
                Cells.Text(Ago.Format(device.LastSeen, now)));
        }

        return table;
    }

    public static IRenderable Detail(DeviceDetail detail, DateTimeOffset now, CliOutput output)
    {
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentNullException.ThrowIfNull(output);
        var device = detail.Device;
        var status = detail.Status;
        var facts = status?.Facts;
        var lines = new List<IRenderable>
        {
            Field("device", device.Id),
            Field("labels", Cells.Labels(device.Labels)),
            Field("online", device.Online ? "yes" : "no"),
            Field("last seen", Ago.Format(device.LastSeen, now)),
            Field("enrolled", Ago.Utc(device.EnrolledAt)),
            Field("phase", device.Phase ?? "-"),
            Field("versions", $"desired {Cells.Number(device.DesiredVersion)}, applied {Cells.Number(device.AppliedVersion)}"),
            Field("stacks", Cells.Stacks(device.Stacks)),
        };
        if (status is not null)
        {
            lines.Add(Field("agent", status.AgentVersion));
        }

        if (facts is not null)
        {
            lines.Add(Field("host", string.Join(", ", new[]
            {
                facts.Os, facts.Arch, facts.Kernel is null ? null : "kernel " + facts.Kernel,
                facts.EngineVersion is null ? null : "docker " + facts.EngineVersion,
                facts.Cpus is { } cpus ? cpus.ToString(CultureInfo.InvariantCulture) + " cpus" : null,
            }.Where(f => f is not null))));
        }

        if ((status?.LastError ?? device.LastError) is { } error)
        {
            var where = string.Join('/', new[] { error.Stack, error.Service }.Where(w => w is not null));
            lines.Add(Field("last error", $"{error.Code}: {error.Message}{(where.Length > 0 ? $" ({where})" : "")}"));
        }

        if (status is not null && status.Stacks.Count > 0)
        {
            lines.Add(new Text(""));
            var services = output.Table("STACK", "SERVICE", "STATE", "HEALTH", "RESTARTS", "IMAGE");
            foreach (var stack in status.Stacks)
            {
                foreach (var service in stack.Services)
                {
                    foreach (var container in service.Containers)
                    {
                        services.AddRow(
                            Cells.Text(stack.Name),
                            Cells.Text(service.Name),
                            Cells.Text(container.State + (container.ExitCode is { } code ? $" ({code})" : "")),
                            Cells.Text(container.Health),
                            Cells.Text(container.RestartCount.ToString(CultureInfo.InvariantCulture)),
                            Cells.Text(container.Image));
                    }
                }
            }

            lines.Add(services);
        }

        if (status is not null && status.Locks.Count > 0)
        {
            foreach (var held in status.Locks)
            {
                lines.Add(Field("lock", $"{held.Stack}/{held.Service} held by {held.Holder ?? "?"} until {Ago.Utc(held.ExpiresAt)}"));
            }
        }

        if (detail.Events.Count > 0)
        {
            lines.Add(new Text(""));
            var events = output.Table("TIME", "VERSION", "EVENT", "DETAIL");
            foreach (var e in detail.Events.TakeLast(10))
            {
                var where = string.Join('/', new[] { e.Stack, e.Service }.Where(w => w is not null));
                var text = string.Join(": ", new[] { where.Length > 0 ? where : null, e.Code, e.Detail }.Where(t => !string.IsNullOrEmpty(t)));
                events.AddRow(
                    Cells.Text(Ago.Format(e.Time, now)),
                    Cells.Text(Cells.Number(e.Version)),
                    Cells.Text(e.Kind, Cells.ColorOf(e.Kind), output.Color),
                    Cells.Text(text));
            }

            lines.Add(events);
        }

        return new Rows(lines);
    }

    private static Text Field(string name, string value) => new($"{name,-11}{value}");
}
