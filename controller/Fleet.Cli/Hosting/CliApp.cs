using System.CommandLine;
using System.CommandLine.Invocation;
using Fleet.Cli.Api;
using Fleet.Cli.Commands;
using Fleet.Cli.Output;

namespace Fleet.Cli.Hosting;

/// <summary>
/// The <c>fleet</c> command tree and how each command runs: options resolved, one API client, and every
/// way out mapped to an exit code (0 ok, 1 failed or refused, 2 usage) with one line on stderr.
/// </summary>
internal sealed class CliApp
{
    private readonly CliEnvironment _environment;

    public CliApp(CliEnvironment environment)
    {
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        Root = new RootCommand(Help.Describe(
            "fleet: the operator console for a Fleet controller.",
            "fleet devices --selector site=berlin",
            "fleet stack push web -f compose.yaml",
            "fleet deploy web --target site=berlin --waves 1,10%,100% --wait"));
        Globals.AddTo(Root);
        Help.AddExamples(Root);
        foreach (var command in new[]
        {
            TokenCommands.Create(this), DeviceCommands.CreateList(this), DeviceCommands.Create(this),
            StackCommands.Create(this), DeployCommand.Create(this), RolloutCommands.Create(this),
            LogsCommand.Create(this), KeysCommands.Create(this), BundleCommands.Create(this),
            CompletionCommand.Create(),
        })
        {
            Root.Subcommands.Add(command);
        }
    }

    public RootCommand Root { get; }

    public GlobalOptions Globals { get; } = new();

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parse = Root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                await _environment.Error.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            var names = new List<string>();
            for (Symbol? symbol = parse.CommandResult.Command; symbol is Command command; symbol = symbol.Parents.FirstOrDefault())
            {
                names.Insert(0, symbol == Root ? "fleet" : command.Name);
            }
            await _environment.Error.WriteLineAsync($"see '{string.Join(' ', names)} --help'").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(
            new InvocationConfiguration { Output = _environment.Out, Error = _environment.Error, EnableDefaultExceptionHandler = false },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes <paramref name="run"/> the command's action, with the shared setup and guards around it.</summary>
    public void SetAction(Command command, Func<CliContext, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction((parse, cancellationToken) => RunGuardedAsync(parse, run, cancellationToken));
    }

    private async Task<int> RunGuardedAsync(ParseResult parse, Func<CliContext, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        var output = new CliOutput(_environment, parse.GetValue(Globals.Json), parse.GetValue(Globals.NoColor));
        var settings = ControllerSettings.Resolve(parse.GetValue(Globals.Controller), parse.GetValue(Globals.Token), _environment.Variable, out var error);
        if (settings is null)
        {
            return output.Usage(error);
        }

        using var api = new FleetApiClient(settings.Controller, settings.Token);
        try
        {
            return await run(new CliContext(parse, _environment, output, api), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Note("cancelled");
            return ExitCodes.Cancelled;
        }
#pragma warning disable CA1031 // The one place that turns an unforeseen bug into one line and exit code 1, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return output.Fail($"internal error: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
