using Fleet.Cli.Output;
using Fleet.Protocol.Api;
using Spectre.Console;

namespace Fleet.Cli.Rendering;

/// <summary><c>fleet stack ls</c> (stacks, or one stack's versions) as tables.</summary>
internal static class StackViews
{
    public static Table List(IReadOnlyList<StackSummary> stacks, DateTimeOffset now, CliOutput output)
    {
        ArgumentNullException.ThrowIfNull(stacks);
        ArgumentNullException.ThrowIfNull(output);
        var table = output.Table("STACK", "LATEST", "DIGEST", "UPDATED");
        foreach (var stack in stacks)
        {
            table.AddRow(Cells.Text(stack.Name), Cells.Text(Cells.Number(stack.LatestVersion)), Cells.Text(Cells.ShortDigest(stack.Digest)), Cells.Text(Ago.Format(stack.UpdatedAt, now)));
        }

        return table;
    }

    public static Table Versions(IReadOnlyList<StackVersionInfo> versions, DateTimeOffset now, CliOutput output)
    {
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(output);
        var table = output.Table("STACK", "VERSION", "DIGEST", "SERVICES", "CREATED");
        foreach (var version in versions)
        {
            table.AddRow(
                Cells.Text(version.Name),
                Cells.Text(Cells.Number(version.Version)),
                Cells.Text(Cells.ShortDigest(version.Digest)),
                Cells.Text(string.Join(',', version.Services)),
                Cells.Text(Ago.Format(version.CreatedAt, now)));
        }

        return table;
    }
}
