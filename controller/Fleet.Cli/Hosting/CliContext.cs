using System.CommandLine;
using Fleet.Cli.Api;
using Fleet.Cli.Output;

namespace Fleet.Cli.Hosting;

/// <summary>What one command's action works with: the parsed line, the output, the controller's API.</summary>
internal sealed class CliContext(ParseResult parse, CliEnvironment environment, CliOutput output, FleetApiClient api)
{
    public ParseResult Parse { get; } = parse;

    public CliEnvironment Environment { get; } = environment;

    public CliOutput Output { get; } = output;

    public FleetApiClient Api { get; } = api;

    public TimeProvider Time => Environment.Time;

    public T Value<T>(Option<T> option) => Parse.GetValue(option)!;

    public T Value<T>(Argument<T> argument) => Parse.GetValue(argument)!;
}
