using BenchmarkDotNet.Running;
using Fleet.Compose.Benchmarks;

// "write-stack FILE" writes the generated stack so that bench/loader-vs-compose.sh can time docker-compose on the same file.
if (args is ["write-stack", var path])
{
    File.WriteAllText(path, StackGenerator.Generate(100));
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(LoaderBenchmarks).Assembly).Run(args);
return 0;
