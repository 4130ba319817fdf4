using System.CommandLine;
using Fleet.Cli.Hosting;
using Fleet.Cli.Output;
using Fleet.Cli.Parsing;
using Fleet.Protocol.Api;

namespace Fleet.Cli.Commands;

/// <summary><c>fleet deploy NAME[:VERSION] --target SELECTOR</c>: starts a rollout, and with --wait follows it.</summary>
internal static class DeployCommand
{
    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var stack = CliOptions.StackRef("NAME[:VERSION]", "Stack and version (default: the latest version)");
        var target = CliOptions.Selector("--target", "Devices to deploy to, a label selector; '' for every device");
        target.Required = true;
        var waves = new Option<IReadOnlyList<string>>("--waves")
        {
            Description = "Cumulative wave sizes: counts or percentages, the last 100% (default: 100%)",
            HelpName = "1,10%,100%",
            DefaultValueFactory = _ => ["100%"],
            CustomParser = result =>
            {
                var parsed = WaveSizes.ParsePlan(result.Tokens.Single().Value);
                if (parsed.Succeeded)
                {
                    return parsed.Value;
                }

                result.AddError(parsed.Error);
                return [];
            },
        };
        var maxFailures = new Option<string>("--max-failures")
        {
            Description = "Failures a wave may have before the rollout pauses: a count or a percentage (default: 0)",
            HelpName = "N|N%",
            DefaultValueFactory = _ => "0",
            CustomParser = result =>
            {
                var parsed = WaveSizes.ParseBudget(result.Tokens.Single().Value);
                if (parsed.Succeeded)
                {
                    return parsed.Value;
                }

                result.AddError(parsed.Error);
                return "";
            },
        };
        var waveTimeout = CliOptions.Duration("--wave-timeout", "How long a wave may take before its unfinished devices count as failed (default: 10m)");
        var healthWindow = CliOptions.Duration("--health-window", "How long services must stay healthy on a device (default: the agent's)");
        var overrideLocks = new Option<bool>("--override-locks") { Description = "Update devices even where a service holds its update lock" };
        var wait = new Option<bool>("--wait") { Description = "Follow the rollout; exit 0 only when it completes" };
        var command = new Command("deploy", Help.Describe(
            "Roll a stack version out to devices, in waves.",
            "fleet deploy web --target site=berlin",
            "fleet deploy web:3 --target 'tier in (canary)' --waves 1,10%,100% --max-failures 10% --wait"))
        {
            stack, target, waves, maxFailures, waveTimeout, healthWindow, overrideLocks, wait,
        };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var reference = context.Value(stack);
            var request = new RolloutRequest
            {
                Stack = reference.Name,
                Version = reference.Version,
                Target = context.Value(target) ?? "",
                Waves = context.Value(waves),
                MaxFailures = context.Value(maxFailures),
                WaveTimeoutSeconds = (long)(context.Parse.GetValue(waveTimeout) ?? TimeSpan.FromMinutes(10)).TotalSeconds,
                HealthWindowSeconds = context.Parse.GetValue(healthWindow) is { } h ? (long)h.TotalSeconds : null,
                OverrideLocks = context.Value(overrideLocks),
            };
            var started = await context.Api.StartRolloutAsync(request, cancellationToken).ConfigureAwait(false);
            if (!started.Succeeded)
            {
                return context.Output.Fail(started.Failure);
            }

            if (context.Value(wait))
            {
                if (!context.Output.Json)
                {
                    context.Output.Line($"rollout {started.Value.Id} started");
                }

                return await RolloutWatch.RunAsync(context, started.Value, cancellationToken).ConfigureAwait(false);
            }

            return context.Output.PrintLines(
                started,
                ApiJsonContext.Default.RolloutInfo,
                r => $"rollout {r.Id} started: {r.Stack}:{r.Version} to '{r.Target}' in waves {string.Join(',', r.WavePlan)}\n" +
                     $"follow it with: fleet rollout watch {r.Id}");
        });
        return command;
    }
}
