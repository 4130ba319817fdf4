using System.CommandLine;
using Fleet.Cli.Hosting;
using Fleet.Cli.Output;
using Fleet.Cli.Parsing;
using Fleet.Cli.Rendering;
using Fleet.Protocol.Api;

namespace Fleet.Cli.Commands;

/// <summary><c>fleet devices</c> and <c>fleet device show|label|rm</c>.</summary>
internal static class DeviceCommands
{
    public static Command CreateList(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var selector = CliOptions.Selector("--selector", "Only devices whose labels match, e.g. site=berlin,tier!=canary");
        var status = new Option<string?>("--status") { Description = "Only devices that are online, offline, or whose update failed" };
        status.AcceptOnlyFromAmong("online", "offline", "failed");
        var command = new Command("devices", Help.Describe(
            "List devices: labels, online, stacks and versions, phase, last seen.",
            "fleet devices",
            "fleet devices --selector 'site in (berlin,paris)' --status offline",
            "fleet devices --json"))
        {
            selector, status,
        };
        app.SetAction(command, async (context, cancellationToken) => context.Output.Print(
            await context.Api.ListDevicesAsync(context.Value(selector), context.Value(status), cancellationToken).ConfigureAwait(false),
            ApiJsonContext.Default.IReadOnlyListDeviceSummary,
            devices => DeviceViews.List(devices, context.Time.GetUtcNow(), context.Output)));
        return command;
    }

    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var command = new Command("device", Help.Describe("One device: show, label, remove.", "fleet device show cabinet-17"));

        var showId = IdArgument();
        var show = new Command("show", Help.Describe("A device's status, services, last error and recent events.", "fleet device show cabinet-17")) { showId };
        app.SetAction(show, async (context, cancellationToken) => context.Output.Print(
            await context.Api.GetDeviceAsync(context.Value(showId), cancellationToken).ConfigureAwait(false),
            ApiJsonContext.Default.DeviceDetail,
            detail => DeviceViews.Detail(detail, context.Time.GetUtcNow(), context.Output)));
        command.Subcommands.Add(show);

        var labelId = IdArgument();
        var labels = new Argument<string[]>("LABELS") { Description = "k=v to set a label, k- to remove one", Arity = ArgumentArity.OneOrMore };
        labels.Validators.Add(result =>
        {
            var parsed = LabelArguments.ParseUpdate(result.GetValueOrDefault<string[]>() ?? []);
            if (!parsed.Succeeded)
            {
                result.AddError(parsed.Error);
            }
        });
        var label = new Command("label", Help.Describe("Set or remove labels of a device.", "fleet device label cabinet-17 tier=canary", "fleet device label cabinet-17 tier-"))
        {
            labelId, labels,
        };
        app.SetAction(label, async (context, cancellationToken) => context.Output.Print(
            await context.Api.UpdateLabelsAsync(context.Value(labelId), LabelArguments.ParseUpdate(context.Value(labels)).Value!, cancellationToken).ConfigureAwait(false),
            ApiJsonContext.Default.DeviceSummary,
            device => DeviceViews.List([device], context.Time.GetUtcNow(), context.Output)));
        command.Subcommands.Add(label);

        var rmId = IdArgument();
        var rm = new Command("rm", Help.Describe(
            "Remove a device: its credentials are revoked and its retained topics cleared.", "fleet device rm cabinet-17")) { rmId };
        app.SetAction(rm, async (context, cancellationToken) =>
        {
            var id = context.Value(rmId);
            var result = await context.Api.RemoveDeviceAsync(id, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                return context.Output.Fail(result.Failure);
            }

            if (!context.Output.Json)
            {
                context.Output.Line($"removed device {id}");
            }

            return ExitCodes.Ok;
        });
        command.Subcommands.Add(rm);
        return command;
    }

    private static Argument<string> IdArgument() => new("ID") { Description = "Device id (see 'fleet devices')" };
}
