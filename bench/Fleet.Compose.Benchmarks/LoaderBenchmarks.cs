using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Fleet.Compose.Model;
using YamlDotNet.RepresentationModel;

namespace Fleet.Compose.Benchmarks;

/// <summary>
/// Loading a 100-service stack, against YamlDotNet's own representation model parsing the same text
/// (the floor: reading YAML and nothing else) in the same run.
/// </summary>
[MemoryDiagnoser]
public class LoaderBenchmarks
{
    private string _yaml = "";
    private ComposeLoadOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _yaml = StackGenerator.Generate(100);
        _options = new ComposeLoadOptions
        {
            Files = [new ComposeFile("/bench/compose.yaml", _yaml)],
            WorkingDirectory = "/bench",
            ProjectName = "bench",
            EnvFileContent = "",
            Environment = ImmutableDictionary<string, string>.Empty,
        };
    }

    [Benchmark(Baseline = true, Description = "YamlDotNet RepresentationModel parse (reference)")]
    public YamlStream ParseOnly()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(_yaml));
        return stream;
    }

    [Benchmark(Description = "ComposeLoader.Load, 100 services")]
    public ComposeProject Load() => ComposeLoader.Load(_options).Project ?? throw new InvalidOperationException("the benchmark stack must load");
}
