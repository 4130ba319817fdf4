using System.CommandLine;

namespace Fleet.Cli.Hosting;

/// <summary>The options every command takes: where the controller is, how to authenticate, how to print.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultController = "http://127.0.0.1:8080";

    public Option<string?> Controller { get; } = new("--controller")
    {
        Description = $"Controller URL (default: FLEET_CONTROLLER, else {DefaultController})",
        Recursive = true,
        HelpName = "URL",
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Operator token (default: FLEET_TOKEN, else the local controller's DIR/operator-token)",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the data as JSON (the shapes of docs/api.md), nothing else on stdout",
        Recursive = true,
    };

    public Option<bool> NoColor { get; } = new("--no-color")
    {
        Description = "No colours (also: NO_COLOR set to anything)",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Controller);
        root.Options.Add(Token);
        root.Options.Add(Json);
        root.Options.Add(NoColor);
    }
}
