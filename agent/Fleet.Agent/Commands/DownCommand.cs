using System.CommandLine;
using Fleet.Agent.Docker.Execute;

namespace Fleet.Agent.Commands;

/// <summary>
/// <c>fleet-agent down</c>: stops and removes a project's containers and networks (and volumes with
/// <c>--volumes</c>). Only what carries the project's label goes, so external networks and volumes stay.
/// </summary>
internal static class DownCommand
{
    public static Command Create()
    {
        var project = new Option<string>("--project-name", "-p") { Description = "Project name", Required = true };
        var volumes = new Option<bool>("--volumes", "-v") { Description = "Also remove the project's named volumes" };
        var docker = StackArguments.DockerOption();
        var command = new Command("down", "Stop and remove a stack's containers and networks") { project, volumes, docker };
        command.SetAction((parse, cancellationToken) => StackArguments.GuardAsync(async () =>
        {
            using var engine = await StackArguments.ConnectAsync(parse.GetValue(docker), cancellationToken);
            if (engine is null)
            {
                return 1;
            }

            var result = await new ComposeEngine(engine.Client, EngineOptions.Default, TimeProvider.System)
                .DownAsync(parse.GetValue(project)!, parse.GetValue(volumes), cancellationToken);
            foreach (var removed in result.Removed)
            {
                Console.Out.WriteLine($"removed {removed}");
            }

            foreach (var failure in result.Failures)
            {
                Console.Error.WriteLine(failure);
            }

            return result.Succeeded ? 0 : 1;
        }));
        return command;
    }
}
