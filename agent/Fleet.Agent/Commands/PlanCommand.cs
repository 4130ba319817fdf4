using System.CommandLine;
using Fleet.Agent.Docker.Execute;

namespace Fleet.Agent.Commands;

/// <summary><c>fleet-agent plan</c>: prints the steps an apply would take, one per line, and changes nothing.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var stack = new StackArguments();
        var command = new Command("plan", "Print the steps apply would take, without changing anything");
        stack.AddTo(command);
        command.SetAction((parse, cancellationToken) => StackArguments.GuardAsync(() => RunAsync(stack, parse, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(StackArguments stack, ParseResult parse, CancellationToken cancellationToken)
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

        var plan = await new ComposeEngine(engine.Client, EngineOptions.Default, TimeProvider.System).PlanAsync(project, context, cancellationToken);
        foreach (var step in plan.Steps)
        {
            Console.Out.WriteLine(step.ToString());
        }

        if (plan.IsEmpty && plan.Problems.IsEmpty)
        {
            Console.Out.WriteLine($"{project.Name}: up to date, nothing to do");
        }

        foreach (var problem in plan.Problems)
        {
            Console.Error.WriteLine(problem.ToString());
        }

        return plan.Problems.IsEmpty ? 0 : 1;
    }
}
