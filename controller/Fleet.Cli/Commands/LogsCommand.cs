using System.CommandLine;
using Fleet.Cli.Hosting;
using Fleet.Protocol.Api;

namespace Fleet.Cli.Commands;

/// <summary><c>fleet logs DEVICE SERVICE</c>: a service's logs, fetched from the device through the controller.</summary>
internal static class LogsCommand
{
    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var device = new Argument<string>("DEVICE") { Description = "Device id" };
        var service = new Argument<string>("SERVICE") { Description = "Service name" };
        var stack = new Option<string?>("--stack") { Description = "Stack of the service (needed when the device runs several)" };
        var tail = new Option<int?>("--tail") { Description = "Only the last N lines", HelpName = "N" };
        tail.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0)
            {
                result.AddError("--tail: 0 or more");
            }
        });
        var since = CliOptions.Duration("--since", "Only lines newer than this, e.g. 10m");
        var command = new Command("logs", Help.Describe(
            "Show a service's logs from a device (the device must be online).",
            "fleet logs cabinet-17 web --tail 100",
            "fleet logs cabinet-17 db --stack shop --since 10m"))
        {
            device, service, stack, tail, since,
        };
        app.SetAction(command, async (context, cancellationToken) => context.Output.PrintLines(
            await context.Api.GetLogsAsync(
                context.Value(device), context.Value(service), context.Value(stack), context.Value(tail), context.Parse.GetValue(since), cancellationToken).ConfigureAwait(false),
            ApiJsonContext.Default.LogsResponse,
            logs => logs.Text.TrimEnd('\n')));
        return command;
    }
}
