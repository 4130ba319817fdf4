using System.CommandLine;
using System.Globalization;
using Fleet.Cli.Hosting;
using Fleet.Cli.Parsing;
using Fleet.Cli.Rendering;
using Fleet.Protocol.Api;

namespace Fleet.Cli.Commands;

/// <summary><c>fleet token create</c>: an enrollment token for devices.</summary>
internal static class TokenCommands
{
    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var labels = new Option<string[]>("--labels")
        {
            Description = "Labels every device enrolled with the token gets: k=v,k=v",
            HelpName = "k=v,...",
        };
        labels.Validators.Add(result =>
        {
            var parsed = LabelArguments.ParsePairs(result.GetValueOrDefault<string[]>() ?? []);
            if (!parsed.Succeeded)
            {
                result.AddError("--labels: " + parsed.Error);
            }
        });
        var uses = new Option<int>("--uses") { Description = "How many devices may enroll with it", DefaultValueFactory = _ => 1 };
        uses.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--uses: at least 1");
            }
        });
        var expires = CliOptions.Duration("--expires", "How long it stays valid (default: the controller's, 24h)");

        var create = new Command("create", Help.Describe(
            "Create an enrollment token; the token is printed once.",
            "fleet token create --labels site=berlin,tier=canary --uses 10 --expires 24h"))
        {
            labels, uses, expires,
        };
        app.SetAction(create, async (context, cancellationToken) =>
        {
            var request = new TokenCreateRequest
            {
                Labels = LabelArguments.ParsePairs(context.Value(labels) ?? []).Value!,
                Uses = context.Value(uses),
                ExpiresInSeconds = context.Parse.GetValue(expires) is { } e ? (long)e.TotalSeconds : null,
            };
            return context.Output.PrintLines(
                await context.Api.CreateTokenAsync(request, cancellationToken).ConfigureAwait(false),
                ApiJsonContext.Default.TokenInfo,
                token => string.Join('\n',
                    $"token    {token.Token}",
                    $"id       {token.Id}",
                    $"labels   {Cells.Labels(token.Labels)}",
                    $"uses     {token.UsesLeft.ToString(CultureInfo.InvariantCulture)} of {token.Uses.ToString(CultureInfo.InvariantCulture)}",
                    $"expires  {Ago.Utc(token.ExpiresAt)}"));
        });

        return new Command("token", Help.Describe("Enrollment tokens for devices.", "fleet token create --labels site=berlin")) { create };
    }
}
