using System.Collections.Immutable;
using Fleet.Compose.Model;

namespace Fleet.Compose.Tests;

/// <summary>Loads compose text given inline, as if it were /stack/compose.yaml, with a controlled environment.</summary>
internal static class TestLoader
{
    public const string Directory = "/nonexistent-fleet-stack";

    public static ComposeLoadResult Load(
        string yaml,
        IDictionary<string, string>? environment = null,
        string? dotEnv = null,
        string[]? profiles = null,
        ComposeLimits? limits = null,
        IDictionary<string, string>? extra = null) =>
        LoadFiles([yaml], environment, dotEnv, profiles, limits, extra);

    public static ComposeLoadResult LoadFiles(
        string[] yamls,
        IDictionary<string, string>? environment = null,
        string? dotEnv = null,
        string[]? profiles = null,
        ComposeLimits? limits = null,
        IDictionary<string, string>? extra = null) =>
        ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [.. yamls.Select((y, i) => new ComposeFile($"{Directory}/{(i == 0 ? "compose" : "override" + i)}.yaml", y))],
            WorkingDirectory = Directory,
            ProjectName = "test",
            Environment = environment?.ToImmutableDictionary() ?? ImmutableDictionary<string, string>.Empty,
            ExtraVariables = extra?.ToImmutableDictionary() ?? ImmutableDictionary<string, string>.Empty,
            EnvFileContent = dotEnv ?? "",
            Profiles = [.. profiles ?? []],
            Limits = limits ?? ComposeLimits.Default,
        });

    public static ComposeProject Project(string yaml, IDictionary<string, string>? environment = null, string? dotEnv = null, string[]? profiles = null)
    {
        var result = Load(yaml, environment, dotEnv, profiles);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Project!;
    }

    public static ServiceConfig Service(string serviceYaml, string extraTopLevel = "")
    {
        var indented = string.Join("\n", serviceYaml.Split('\n').Select(l => "    " + l));
        return Project($"services:\n  web:\n{indented}\n{extraTopLevel}").Services["web"];
    }

    public static string Errors(string yaml, IDictionary<string, string>? environment = null, string[]? profiles = null, ComposeLimits? limits = null)
    {
        var result = Load(yaml, environment, profiles: profiles, limits: limits);
        Assert.False(result.Succeeded, "expected the stack to be refused");
        return string.Join("\n", result.Errors);
    }
}
