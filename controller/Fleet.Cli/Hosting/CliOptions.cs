using System.CommandLine;
using System.CommandLine.Parsing;
using Fleet.Cli.Parsing;

namespace Fleet.Cli.Hosting;

/// <summary>
/// Options and arguments whose text is checked while parsing, so a wrong value is a usage error
/// (exit code 2) with the parser's one line, before anything reaches the controller.
/// </summary>
internal static class CliOptions
{
    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = result =>
        {
            if (DurationText.TryParse(result.Tokens.Single().Value, out var value, out var error))
            {
                return value;
            }

            result.AddError($"{name}: {error}");
            return null;
        },
    };

    public static Option<string?> Selector(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "SELECTOR" };
        option.Validators.Add(result =>
        {
            if (LabelArguments.ValidateSelector(result.GetValueOrDefault<string?>()) is { } error)
            {
                result.AddError($"{name}: {error}");
            }
        });
        return option;
    }

    public static Argument<StackVersionRef> StackRef(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => Checked(result, StackVersionRef.Parse(result.Tokens.Single().Value)),
    };

    public static Argument<string> StackName(string description)
    {
        var argument = new Argument<string>("NAME") { Description = description };
        argument.Validators.Add(result =>
        {
            if (StackVersionRef.ValidateName(result.GetValueOrDefault<string>()) is { } error)
            {
                result.AddError(error);
            }
        });
        return argument;
    }

    private static T? Checked<T>(ArgumentResult result, Protocol.Serialization.ParseResult<T> parsed)
        where T : class
    {
        if (parsed.Succeeded)
        {
            return parsed.Value;
        }

        result.AddError(parsed.Error);
        return null;
    }
}
