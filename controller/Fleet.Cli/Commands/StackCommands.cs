using System.CommandLine;
using System.Globalization;
using Fleet.Cli.Hosting;
using Fleet.Cli.Output;
using Fleet.Cli.Parsing;
using Fleet.Cli.Rendering;
using Fleet.Cli.Stacks;
using Fleet.Compose;
using Fleet.Protocol.Api;
using Spectre.Console;

namespace Fleet.Cli.Commands;

/// <summary><c>fleet stack push|ls|show|diff</c>.</summary>
internal static class StackCommands
{
    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var command = new Command("stack", Help.Describe("Stacks (compose projects) and their versions.", "fleet stack push web -f compose.yaml", "fleet stack ls"));
        command.Subcommands.Add(Push(app));
        command.Subcommands.Add(List(app));
        command.Subcommands.Add(Show(app));
        command.Subcommands.Add(Diff(app));
        return command;
    }

    private static Command Push(CliApp app)
    {
        var name = CliOptions.StackName("Stack name (the compose project name on devices)");
        var files = new Option<string[]>("--file", "-f") { Description = "Compose file; repeat to merge several in order", Required = true };
        var envFile = new Option<string?>("--env-file") { Description = "Env file to send (default: .env beside the first file, if any)" };
        var command = new Command("push", Help.Describe(
            "Check compose files with the loader the devices use, and upload them as the stack's next version.",
            "fleet stack push web -f compose.yaml",
            "fleet stack push web -f compose.yaml -f compose.prod.yaml --env-file prod.env"))
        {
            name, files, envFile,
        };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var stackName = context.Value(name);
            LocalStack local;
            try
            {
                local = LocalStack.Read(stackName, context.Value(files), context.Value(envFile));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return context.Output.Fail("cannot read " + ex.Message);
            }

            foreach (var diagnostic in local.Loaded.Diagnostics)
            {
                context.Output.Note(diagnostic.ToString());
            }

            if (!local.Loaded.Succeeded)
            {
                var errors = local.Loaded.Errors.Count();
                return context.Output.Fail($"{stackName} was not pushed: {errors.ToString(CultureInfo.InvariantCulture)} error{(errors == 1 ? "" : "s")} in the compose files");
            }

            var pushed = await context.Api.PushStackAsync(stackName, local.Request, cancellationToken).ConfigureAwait(false);
            return context.Output.PrintLines(
                pushed,
                ApiJsonContext.Default.StackVersionInfo,
                version => pushed.StatusCode == 201
                    ? $"pushed {version.Name} version {version.Version.ToString(CultureInfo.InvariantCulture)} ({version.Digest})"
                    : $"{version.Name} is unchanged: version {version.Version.ToString(CultureInfo.InvariantCulture)} ({version.Digest})");
        });
        return command;
    }

    private static Command List(CliApp app)
    {
        var name = new Argument<string?>("NAME") { Description = "A stack: list its versions instead", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("ls", Help.Describe("List stacks, or one stack's versions.", "fleet stack ls", "fleet stack ls web")) { name };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var now = context.Time.GetUtcNow();
            return context.Value(name) is { } stack
                ? context.Output.Print(
                    await context.Api.ListStackVersionsAsync(stack, cancellationToken).ConfigureAwait(false),
                    ApiJsonContext.Default.IReadOnlyListStackVersionInfo,
                    versions => StackViews.Versions(versions, now, context.Output))
                : context.Output.Print(
                    await context.Api.ListStacksAsync(cancellationToken).ConfigureAwait(false),
                    ApiJsonContext.Default.IReadOnlyListStackSummary,
                    stacks => StackViews.List(stacks, now, context.Output));
        });
        return command;
    }

    private static Command Show(CliApp app)
    {
        var reference = CliOptions.StackRef("NAME[:VERSION]", "Stack and version (default: the latest)");
        var command = new Command("show", Help.Describe("Print a stack version's compose text (canonical) and digest.", "fleet stack show web", "fleet stack show web:2")) { reference };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var stack = context.Value(reference);
            return context.Output.PrintLines(
                await context.Api.GetStackVersionAsync(stack.Name, stack.Version, cancellationToken).ConfigureAwait(false),
                ApiJsonContext.Default.StackVersionInfo,
                version => $"# {version.Name}:{version.Version.ToString(CultureInfo.InvariantCulture)} {version.Digest}\n{version.Compose?.TrimEnd('\n')}");
        });
        return command;
    }

    private static Command Diff(CliApp app)
    {
        var first = CliOptions.StackRef("NAME:V1", "The older version");
        var second = CliOptions.StackRef("NAME:V2", "The newer version");
        var command = new Command("diff", Help.Describe("Compare two versions of a stack, line by line (unified diff).", "fleet stack diff web:2 web:3")) { first, second };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var a = context.Value(first);
            var b = context.Value(second);
            var older = await context.Api.GetStackVersionAsync(a.Name, a.Version, cancellationToken).ConfigureAwait(false);
            if (!older.Succeeded)
            {
                return context.Output.Fail(older.Failure);
            }

            var newer = await context.Api.GetStackVersionAsync(b.Name, b.Version, cancellationToken).ConfigureAwait(false);
            if (!newer.Succeeded)
            {
                return context.Output.Fail(newer.Failure);
            }

            if (context.Output.Json)
            {
                context.Output.WriteJson<IReadOnlyList<StackVersionInfo>>([older.Value, newer.Value], ApiJsonContext.Default.IReadOnlyListStackVersionInfo);
                return ExitCodes.Ok;
            }

            var lines = LineDiff.Unified(
                older.Value.Compose ?? "", newer.Value.Compose ?? "", Label(older.Value), Label(newer.Value));
            if (lines.Count == 0)
            {
                context.Output.Line($"{Label(older.Value)} and {Label(newer.Value)} are the same ({older.Value.Digest})");
                return ExitCodes.Ok;
            }

            foreach (var line in lines)
            {
                if (context.Output.Color)
                {
                    var color = line.StartsWith("@@", StringComparison.Ordinal) ? "cyan" : line[0] switch { '+' => "green", '-' => "red", _ => null };
                    context.Output.Console.MarkupLine(color is null ? Markup.Escape(line) : $"[{color}]{Markup.Escape(line)}[/]");
                }
                else
                {
                    context.Output.Line(line);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Label(StackVersionInfo version) => $"{version.Name}:{version.Version.ToString(CultureInfo.InvariantCulture)}";
}
