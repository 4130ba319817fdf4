using System.CommandLine;
using System.Text;
using Fleet.Compose;

namespace Fleet.Agent.Commands;

/// <summary>
/// <c>fleet-agent config</c>: prints a stack as Fleet reads it (normalized, like <c>docker compose config</c>),
/// or only its digest, so an operator can check a file on the device before sending it.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file", "-f")
        {
            Description = "Compose file; repeat to merge several in order",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var envFile = new Option<string?>("--env-file") { Description = "Env file to use instead of .env beside the first file" };
        var projectName = new Option<string?>("--project-name", "-p") { Description = "Project name" };
        var profiles = new Option<string[]>("--profile") { Description = "Profile to enable; repeat for several" };
        var format = new Option<string>("--format") { Description = "Output format: yaml or json", DefaultValueFactory = _ => "yaml" };
        format.AcceptOnlyFromAmong("yaml", "json");
        var digest = new Option<bool>("--digest") { Description = "Print only the stack's digest" };

        var command = new Command("config", "Validate compose files and print the normalized stack (or its digest)")
        {
            files, envFile, projectName, profiles, format, digest,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetValue(files) ?? [],
            parseResult.GetValue(envFile),
            parseResult.GetValue(projectName),
            parseResult.GetValue(profiles) ?? [],
            parseResult.GetValue(format) ?? "yaml",
            parseResult.GetValue(digest)));
        return command;
    }

    private static int Run(string[] files, string? envFile, string? projectName, string[] profiles, string format, bool digestOnly)
    {
        try
        {
            var result = ComposeLoader.Load(new ComposeLoadOptions
            {
                Files = [.. files.Select(f => new ComposeFile(f))],
                EnvFile = envFile,
                ProjectName = projectName,
                Profiles = [.. profiles],
                Environment = StackArguments.ProcessEnvironment(),
                WorkingDirectory = null,
            });
            foreach (var diagnostic in result.Diagnostics)
            {
                Console.Error.WriteLine(diagnostic.ToString());
            }

            if (result.Project is not { } project)
            {
                return 1;
            }

            var output = digestOnly ? project.Digest + "\n"
                : format == "json" ? Encoding.UTF8.GetString(CanonicalJson.Serialize(project, indented: true)) + "\n"
                : CanonicalYaml.Serialize(project);
            Console.Out.Write(output);
            return 0;
        }
#pragma warning disable CA1031 // The one place that turns an unforeseen bug into one line and exit code 1, never a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
