using YamlDotNet.RepresentationModel;

namespace Fleet.Compose.Tests;

/// <summary>Every file of the shared corpus of real compose files (../shared/compose-corpus beside the repository).</summary>
public class CorpusTests
{
    private static readonly string Corpus = FindCorpus();

    public static TheoryData<string> AwesomeComposeFiles() => new(AwesomeComposePaths());

    private static IEnumerable<string> AwesomeComposePaths() =>
        Directory.EnumerateFiles(Path.Combine(Corpus, "awesome-compose"), "*.y*ml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(file => Path.GetRelativePath(Corpus, file));

    [Theory]
    [MemberData(nameof(AwesomeComposeFiles))]
    public void AwesomeCompose_ImageOnlyLoads_BuildOnlyServicesAreRefusedWithWhatToDo(string relativePath)
    {
        var path = Path.Combine(Corpus, relativePath);
        var buildOnly = BuildOnlyServices(path);

        var result = ComposeLoader.Load(new ComposeLoadOptions { Files = [new ComposeFile(path)] });

        if (buildOnly.Count == 0)
        {
            Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
            Assert.NotEmpty(result.Project!.Services);
            Assert.StartsWith("sha256:", result.Project.Digest, StringComparison.Ordinal);
        }
        else
        {
            Assert.False(result.Succeeded);
            Assert.Equal(
                buildOnly.Order(StringComparer.Ordinal).Select(s => $"service {s} has no image: build the image, push it to a registry and set image:"),
                result.Errors.Select(e => e.Message).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void AwesomeCompose_HasBothKindsOfFiles()
    {
        var files = AwesomeComposePaths().ToList();
        Assert.True(files.Count(f => BuildOnlyServices(Path.Combine(Corpus, f)).Count == 0) >= 12);
        Assert.True(files.Count(f => BuildOnlyServices(Path.Combine(Corpus, f)).Count > 0) >= 20);
    }

    [Fact]
    public void ComposeGo_DependencyCycle_IsNamed()
    {
        var result = LoadComposeGo("loader/testdata/compose-depends-on-cycle.yaml");

        Assert.Equal("dependency cycle: service1 -> service2 -> service3 -> service1", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void ComposeGo_DependencyOnSelf_IsRefused()
    {
        var result = LoadComposeGo("loader/testdata/compose-depends-on-self.yaml");

        Assert.Contains("cannot depend on itself", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComposeGo_VariablesComeFromTheDotEnvBesideTheFile()
    {
        var result = LoadComposeGo("cli/testdata/simple/compose-with-variables.yaml");

        Assert.Equal("8000", Assert.Single(result.Project!.Services["simple"].Ports).Published);
    }

    [Fact]
    public void ComposeGo_EnvFiles_LaterFileWins_AndDotEnvGivesVariablesAndProjectName()
    {
        var result = LoadComposeGo("cli/testdata/env-file/compose-with-env-files.yaml");

        var simple = result.Project!.Services["simple"];
        Assert.Equal("9090", simple.Environment["DEFAULT_PORT"]);
        Assert.Equal("8000", Assert.Single(simple.Ports).Published);
        Assert.Equal("my_project_from_dot_env", result.Project.Name);
    }

    [Fact]
    public void ComposeGo_ExplicitEnvFile_ReplacesDotEnv()
    {
        var directory = Path.Combine(Corpus, "compose-go/cli/testdata/env-file");
        var result = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [new ComposeFile(Path.Combine(directory, "compose-with-env-files.yaml"))],
            EnvFile = Path.Combine(directory, "override.env"),
        });

        Assert.Equal("9000", Assert.Single(result.Project!.Services["simple"].Ports).Published);
        Assert.Equal("env-file", result.Project.Name);
    }

    [Fact]
    public void ComposeGo_Include_IsRefusedAsUnsupported()
    {
        var result = LoadComposeGo("loader/testdata/compose-include.yaml");

        Assert.Contains(result.Errors, e => e.Field == "include" && e.Message.Contains("not supported", StringComparison.Ordinal));
    }

    [Fact]
    public void ComposeGo_EmptyFile_IsRefused()
    {
        Assert.False(LoadComposeGo("loader/testdata/empty.yaml").Succeeded);
    }

    [Fact]
    public void ComposeGo_EveryFile_LoadsOrFailsWithDiagnosticsNeverAnException()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Corpus, "compose-go"), "*.y*ml", SearchOption.AllDirectories))
        {
            var result = ComposeLoader.Load(new ComposeLoadOptions { Files = [new ComposeFile(file)] });
            Assert.True(result.Succeeded || result.Errors.Any(), file);
        }
    }

    private static ComposeLoadResult LoadComposeGo(string relative) =>
        ComposeLoader.Load(new ComposeLoadOptions { Files = [new ComposeFile(Path.Combine(Corpus, "compose-go", relative))] });

    // An independent reading (YamlDotNet's representation model) of which services have build: but no image:.
    private static List<string> BuildOnlyServices(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var services = (YamlMappingNode)root.Children[new YamlScalarNode("services")];
        return services.Children
            .Where(s => s.Value is YamlMappingNode m && m.Children.ContainsKey(new YamlScalarNode("build")) && !m.Children.ContainsKey(new YamlScalarNode("image")))
            .Select(s => ((YamlScalarNode)s.Key).Value!)
            .ToList();
    }

    private static string FindCorpus()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Fleet.sln")))
            {
                var corpus = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "compose-corpus"));
                return Directory.Exists(corpus) ? corpus : throw new DirectoryNotFoundException("compose corpus not found at " + corpus);
            }
        }

        throw new DirectoryNotFoundException("repository root (Fleet.sln) not found above " + AppContext.BaseDirectory);
    }
}
