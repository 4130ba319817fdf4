using System.CommandLine;
using System.Text.Json;
using Fleet.Agent.Docker.Execute;
using Fleet.Reconcile.Observed;

namespace Fleet.Agent.Commands;

/// <summary><c>fleet-agent ps</c>: the containers of one project, or of every compose project, as a table or JSON.</summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var project = new Option<string?>("--project-name", "-p") { Description = "Project name (default: every compose project)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var docker = StackArguments.DockerOption();
        var command = new Command("ps", "List a stack's containers: service, container, state, health, ports, image") { project, json, docker };
        command.SetAction((parse, cancellationToken) => StackArguments.GuardAsync(async () =>
        {
            using var engine = await StackArguments.ConnectAsync(parse.GetValue(docker), cancellationToken);
            if (engine is null)
            {
                return 1;
            }

            var containers = await new ComposeEngine(engine.Client, EngineOptions.Default, TimeProvider.System)
                .PsAsync(parse.GetValue(project), cancellationToken);
            var rows = containers.ToList();
            if (parse.GetValue(json))
            {
                WriteJson(rows);
            }
            else
            {
                WriteTable(rows);
            }

            return 0;
        }));
        return command;
    }

    private static void WriteJson(List<ObservedContainer> rows)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                writer.WriteString("project", row.Project);
                writer.WriteString("service", row.Service);
                writer.WriteString("container", row.Name);
                writer.WriteString("state", row.State.ToString().ToLowerInvariant());
                if (row.Health is null)
                {
                    writer.WriteNull("health");
                }
                else
                {
                    writer.WriteString("health", row.Health);
                }

                writer.WriteStartArray("ports");
                foreach (var port in row.Ports)
                {
                    writer.WriteStringValue(port);
                }

                writer.WriteEndArray();
                writer.WriteString("image", row.Image);
                writer.WriteString("imageId", row.ImageId);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        stdout.WriteByte((byte)'\n');
    }

    private static void WriteTable(List<ObservedContainer> rows)
    {
        string[] header = ["SERVICE", "CONTAINER", "STATE", "HEALTH", "PORTS", "IMAGE"];
        var cells = rows.Select(r => new[] { r.Service, r.Name, r.State.ToString().ToLowerInvariant(), r.Health ?? "", string.Join(", ", r.Ports), r.Image }).Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => cells.Max(c => c[i].Length)).ToArray();
        foreach (var line in cells)
        {
            Console.Out.WriteLine(string.Join("  ", line.Select((cell, i) => i == line.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
