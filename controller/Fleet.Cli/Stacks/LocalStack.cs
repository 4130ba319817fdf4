using System.Collections.Immutable;
using Fleet.Compose;
using Fleet.Protocol.Api;

namespace Fleet.Cli.Stacks;

/// <summary>
/// The files of <c>fleet stack push</c>, read once and checked with the shared compose loader before they
/// are sent, so a mistake is reported here with its file and line, as the agent would report it. The
/// check sees exactly what is uploaded: the files' text and the env file (the <c>.env</c> beside the first
/// file when none is named), and not the operator's environment, which neither controller nor device see.
/// </summary>
internal sealed record LocalStack(StackPushRequest Request, ComposeLoadResult Loaded)
{
    public static LocalStack Read(string name, IReadOnlyList<string> files, string? envFile)
    {
        ArgumentNullException.ThrowIfNull(files);
        var paths = files.Select(Path.GetFullPath).ToImmutableArray();
        var composeFiles = paths.Select(p => new ComposeFile(p, File.ReadAllText(p))).ToImmutableArray();
        var envPath = envFile is not null ? Path.GetFullPath(envFile) : Path.Combine(Path.GetDirectoryName(paths[0]) ?? ".", ".env");
        var envContent = envFile is not null || File.Exists(envPath) ? File.ReadAllText(envPath) : null;

        var loaded = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = composeFiles,
            ProjectName = name,
            EnvFileContent = envContent ?? "",
        });
        var request = new StackPushRequest
        {
            Files = [.. composeFiles.Select(f => new StackFile { Name = Path.GetFileName(f.Path), Content = f.Content! })],
            EnvFile = envContent is null ? null : new StackFile { Name = Path.GetFileName(envPath), Content = envContent },
        };
        return new LocalStack(request, loaded);
    }
}
