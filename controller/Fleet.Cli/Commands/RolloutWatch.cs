using Fleet.Cli.Api;
using Fleet.Cli.Hosting;
using Fleet.Cli.Output;
using Fleet.Cli.Rendering;
using Fleet.Protocol.Api;
using Spectre.Console;

namespace Fleet.Cli.Commands;

/// <summary>
/// Follows a rollout until it ends or pauses (<c>rollout watch</c>, <c>deploy --wait</c>): live bars on a
/// terminal, a line per change in a pipe, only the final JSON with <c>--json</c>. Exit code 0 only when it
/// completed.
/// </summary>
internal static class RolloutWatch
{
    public static async Task<int> RunAsync(CliContext context, RolloutInfo first, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var output = context.Output;
        RolloutInfo current = first;
        ApiFailure? failure = null;
        if (output.Terminal)
        {
            await output.Console.Live(RolloutView.Render(current, output.Color)).StartAsync(async live =>
            {
                while (!IsOver(current))
                {
                    await Task.Delay(context.Environment.PollInterval, context.Time, cancellationToken).ConfigureAwait(false);
                    var next = await context.Api.GetRolloutAsync(current.Id, cancellationToken).ConfigureAwait(false);
                    if (!next.Succeeded)
                    {
                        failure = next.Failure;
                        return;
                    }

                    current = next.Value;
                    live.UpdateTarget(RolloutView.Render(current, output.Color));
                    live.Refresh();
                }
            }).ConfigureAwait(false);
        }
        else
        {
            var printed = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                if (!output.Json)
                {
                    foreach (var line in RolloutView.Summary(current).Where(printed.Add))
                    {
                        output.Line(line);
                    }
                }

                if (IsOver(current))
                {
                    break;
                }

                await Task.Delay(context.Environment.PollInterval, context.Time, cancellationToken).ConfigureAwait(false);
                var next = await context.Api.GetRolloutAsync(current.Id, cancellationToken).ConfigureAwait(false);
                if (!next.Succeeded)
                {
                    failure = next.Failure;
                    break;
                }

                current = next.Value;
            }
        }

        if (failure is not null)
        {
            return output.Fail(failure);
        }

        if (output.Json)
        {
            output.WriteJson(current, ApiJsonContext.Default.RolloutInfo);
        }
        else
        {
            output.Line(RolloutView.Outcome(current));
        }

        return current.State == RolloutStates.Completed ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Watching ends when the rollout ended or paused: a paused rollout waits for an operator.</summary>
    public static bool IsOver(RolloutInfo rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return RolloutStates.IsFinal(rollout.State) || rollout.State == RolloutStates.Paused;
    }
}
