using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleet.Agent.Hosting;
using Fleet.Agent.Storage;
using Fleet.Protocol.Messages;

namespace Fleet.Agent.Commands;

/// <summary>
/// <c>fleet-agent status --data DIR [--json]</c>: asks the running agent over its socket; with no
/// agent running, reads the database itself (then it is the only process using it).
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The agent's data directory", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var command = new Command("status", "Show this device's state: desired and applied versions, phase, services, pending events.") { data, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = parse.GetValue(data)!;
            if (!Directory.Exists(directory))
            {
                Console.Error.WriteLine($"fleet-agent: {directory}: no such data directory");
                return 1;
            }

            var status = await ReadAsync(directory, cancellationToken);
            if (status is null)
            {
                Console.Error.WriteLine($"fleet-agent: {directory} is locked by an agent that does not answer on {LocalStatusServer.FileName}");
                return 1;
            }

            Console.Out.Write(parse.GetValue(json)
                ? JsonSerializer.Serialize(status, AgentJsonContext.Default.LocalStatus) + Environment.NewLine
                : Render(status));
            return 0;
        });
        return command;
    }

    private static async Task<LocalStatus?> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        if (await LocalStatusServer.AskAsync(directory, cancellationToken) is { } answer)
        {
            return JsonSerializer.Deserialize(answer, AgentJsonContext.Default.LocalStatus);
        }

        var opened = AgentDatabase.Open(directory, TimeProvider.System);
        if (opened.Database is not { } database)
        {
            return null;
        }

        using (database)
        {
            var store = new DesiredStateStore(database, TimeProvider.System);
            var journal = new EventJournal(database, TimeProvider.System);
            return new LocalStatus
            {
                Running = false,
                Status = new DeviceStatus
                {
                    DeviceId = "",
                    AgentVersion = "",
                    Seq = 0,
                    ReportedAt = TimeProvider.System.GetUtcNow(),
                    DesiredVersion = store.Current?.Version,
                    Phase = "not running",
                },
                PendingEvents = journal.PendingCount,
                RecentEvents = journal.Recent(10),
            };
        }
    }

    private static string Render(LocalStatus local)
    {
        var status = local.Status;
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"agent:    {(local.Running ? $"running, device {status.DeviceId}, {status.AgentVersion}" : "not running")}");
        text.AppendLine(c, $"phase:    {status.Phase}");
        text.AppendLine(c, $"desired:  {Version(status.DesiredVersion)}   applied: {Version(status.AppliedVersion)}");
        text.AppendLine(c, $"events:   {local.PendingEvents} waiting for the broker");
        if (status.LastError is { } error)
        {
            text.AppendLine(c, $"error:    {error.Code}: {error.Message}");
        }

        foreach (var stack in status.Stacks)
        {
            text.AppendLine(c, $"stack {stack.Name}");
            foreach (var service in stack.Services)
            {
                foreach (var container in service.Containers)
                {
                    text.AppendLine(c, $"  {service.Name,-16} {container.State,-10} {container.Health ?? "",-10} {container.Id[..Math.Min(12, container.Id.Length)]}  {container.Image}");
                }
            }
        }

        if (local.RecentEvents.Count > 0)
        {
            text.AppendLine("recent events:");
            foreach (var e in local.RecentEvents)
            {
                text.AppendLine(c, $"  #{e.Seq} {e.Time:HH:mm:ss} {e.Kind} {e.Stack}{(e.Code is null ? "" : $" [{e.Code}]")} {e.Detail}");
            }
        }

        return text.ToString();
    }

    private static string Version(long? version) => version is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";
}
