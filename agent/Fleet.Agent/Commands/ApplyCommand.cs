using System.Collections.Immutable;
using System.CommandLine;
using Fleet.Agent.Docker.Execute;
using Fleet.Agent.Docker.Images;

namespace Fleet.Agent.Commands;

/// <summary>
/// <c>fleet-agent apply</c>: makes the engine run the stack, printing each step as it ends. Exit code 0
/// only when the stack converged; otherwise 1 and the first failure as one line on stderr.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var stack = new StackArguments();
        var healthTimeout = new Option<int>("--health-timeout") { Description = "Seconds to wait for service_healthy / service_completed_successfully", DefaultValueFactory = _ => 120 };
        var command = new Command("apply", "Apply a compose stack to the local Docker engine");
        stack.AddTo(command);
        command.Options.Add(healthTimeout);
        command.SetAction((parse, cancellationToken) => StackArguments.GuardAsync(() => RunAsync(stack, parse, parse.GetValue(healthTimeout), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(StackArguments stack, ParseResult parse, int healthTimeoutSeconds, CancellationToken cancellationToken)
    {
        if (stack.Load(parse) is not var (project, context))
        {
            return 1;
        }

        using var engine = await StackArguments.ConnectAsync(parse.GetValue(stack.Docker), cancellationToken);
        if (engine is null)
        {
            return 1;
        }

        ImmutableDictionary<string, RegistryCredentials> credentials;
        try
        {
            credentials = ImagePuller.MergeCredentials(DockerConfigFile.Load().Values, []);
        }
        catch (InvalidDataException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }

        var timeout = TimeSpan.FromSeconds(Math.Max(1, healthTimeoutSeconds));
        var options = new EngineOptions
        {
            Credentials = credentials,
            HealthTimeout = timeout,
            CompletionTimeout = timeout,
            StepCompleted = outcome => Console.Out.WriteLine(outcome.Status == StepStatus.Succeeded
                ? $"{outcome.Step.Id}: {outcome.Step.Description}"
                : $"{outcome.Step.Id}: {outcome.Status.ToString().ToUpperInvariant()}: {outcome.Reason}"),
            PullProgress = progress =>
            {
                if (progress.Status is "Pull complete" or "Already exists")
                {
                    Console.Out.WriteLine($"  {progress.Image}: layer {progress.Layer}: {progress.Status}");
                }
            },
        };
        var result = await new ComposeEngine(engine.Client, options, TimeProvider.System).ApplyAsync(project, context, cancellationToken);
        if (!result.Converged)
        {
            Console.Error.WriteLine(result.Summary);
            return 1;
        }

        Console.Out.WriteLine(result.Summary);
        return 0;
    }
}
