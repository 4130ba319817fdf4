using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Collections.Concurrent;

namespace Fleet.Cli.Hosting;

/// <summary>
/// Help with examples: the summary is the command's description (what lists of subcommands show), and the
/// examples follow the usual help text of the command itself.
/// </summary>
internal static class Help
{
    private static readonly ConcurrentDictionary<string, string[]> ExamplesBySummary = new(StringComparer.Ordinal);

    /// <summary>The description to give a command; its examples are printed under its own help.</summary>
    public static string Describe(string summary, params string[] examples)
    {
        ExamplesBySummary[summary] = examples;
        return summary;
    }

    /// <summary>Makes the root's (recursive) help option print each command's examples after its help.</summary>
    public static void AddExamples(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var option = root.Options.OfType<HelpOption>().Single();
        if (option.Action is HelpAction standard)
        {
            option.Action = new WithExamples(standard);
        }
    }

    private sealed class WithExamples(HelpAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exit = standard.Invoke(parseResult);
            var description = parseResult.CommandResult.Command.Description;
            if (description is not null && ExamplesBySummary.TryGetValue(description, out var examples) && examples.Length > 0)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine("  " + example);
                }

                output.WriteLine();
            }

            return exit;
        }
    }
}
