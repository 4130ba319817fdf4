using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Fleet.Compose.Model;

namespace Fleet.Compose.Benchmarks;

/// <summary>The digest of a loaded 100-service stack, against hashing the raw YAML text in the same run.</summary>
[MemoryDiagnoser]
public class DigestBenchmarks
{
    private ComposeProject _project = null!;
    private byte[] _raw = [];

    [GlobalSetup]
    public void Setup()
    {
        var yaml = StackGenerator.Generate(100);
        _raw = Encoding.UTF8.GetBytes(yaml);
        _project = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [new ComposeFile("/bench/compose.yaml", yaml)],
            WorkingDirectory = "/bench",
            ProjectName = "bench",
            EnvFileContent = "",
        }).Project!;
    }

    [Benchmark(Baseline = true, Description = "SHA-256 of the raw YAML (reference)")]
    public byte[] HashRawText() => SHA256.HashData(_raw);

    [Benchmark(Description = "CanonicalJson.Digest, 100 services")]
    public string Digest() => CanonicalJson.Digest(_project);

    [Benchmark(Description = "ConfigHash of every service")]
    public int ConfigHashes()
    {
        var total = 0;
        foreach (var service in _project.Services.Values)
        {
            total += CanonicalJson.ConfigHash(service).Length;
        }

        return total;
    }
}
