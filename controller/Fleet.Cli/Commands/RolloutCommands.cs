using System.CommandLine;
using Fleet.Cli.Hosting;
using Fleet.Cli.Rendering;
using Fleet.Protocol.Api;

namespace Fleet.Cli.Commands;

/// <summary><c>fleet rollout ls|show|watch|pause|resume|abort|rollback</c>.</summary>
internal static class RolloutCommands
{
    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var json = ApiJsonContext.Default;
        var command = new Command("rollout", Help.Describe("See and steer rollouts.", "fleet rollout ls", "fleet rollout watch r-1a2b3c"));

        var ls = new Command("ls", Help.Describe("List rollouts, newest first.", "fleet rollout ls --json"));
        app.SetAction(ls, async (context, cancellationToken) => context.Output.Print(
            await context.Api.ListRolloutsAsync(cancellationToken).ConfigureAwait(false),
            json.IReadOnlyListRolloutInfo,
            rollouts => RolloutView.List(rollouts, context.Time.GetUtcNow(), context.Output)));
        command.Subcommands.Add(ls);

        var showId = IdArgument();
        var show = new Command("show", Help.Describe("Show a rollout: its waves and their devices' phases.", "fleet rollout show r-1a2b3c")) { showId };
        app.SetAction(show, async (context, cancellationToken) => context.Output.Print(
            await context.Api.GetRolloutAsync(context.Value(showId), cancellationToken).ConfigureAwait(false),
            json.RolloutInfo,
            rollout => RolloutView.Render(rollout, context.Output.Color)));
        command.Subcommands.Add(show);

        var watchId = IdArgument();
        var watch = new Command("watch", Help.Describe(
            "Follow a rollout until it completes (exit 0) or pauses, is aborted or rolled back (exit 1).",
            "fleet rollout watch r-1a2b3c")) { watchId };
        app.SetAction(watch, async (context, cancellationToken) =>
        {
            var result = await context.Api.GetRolloutAsync(context.Value(watchId), cancellationToken).ConfigureAwait(false);
            return result.Succeeded
                ? await RolloutWatch.RunAsync(context, result.Value, cancellationToken).ConfigureAwait(false)
                : context.Output.Fail(result.Failure);
        });
        command.Subcommands.Add(watch);

        foreach (var (action, description) in new[]
        {
            ("pause", "Pause a rollout: no further devices are sent the release."),
            ("resume", "Resume a paused rollout."),
            ("abort", "Abort a rollout: no further waves; devices keep what they got."),
            ("rollback", "Send every device the rollout reached back to the version it ran before."),
        })
        {
            var id = IdArgument();
            var act = new Command(action, Help.Describe(description, $"fleet rollout {action} r-1a2b3c")) { id };
            app.SetAction(act, async (context, cancellationToken) => context.Output.PrintLines(
                await context.Api.ActOnRolloutAsync(context.Value(id), action, cancellationToken).ConfigureAwait(false),
                json.RolloutInfo,
                RolloutView.Outcome));
            command.Subcommands.Add(act);
        }

        return command;
    }

    private static Argument<string> IdArgument() => new("ID") { Description = "Rollout id (see 'fleet rollout ls')" };
}
