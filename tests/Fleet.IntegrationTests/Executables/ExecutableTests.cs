using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Executables;

/// <summary>Runs the real executables (as built beside the tests) the way an operator would.</summary>
public sealed class ExecutableTests
{
    public static TheoryData<string> Executables => new() { "fleet-agent", "fleet-controller", "fleet" };

    [Theory]
    [MemberData(nameof(Executables))]
    public async Task Version_PrintsTheProductVersion(string executable)
    {
        var (exitCode, output) = await RunAsync(executable, "--version");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("0.1.0", output.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Executables))]
    public async Task Help_NamesTheExecutableAndExitsZero(string executable)
    {
        var (exitCode, output) = await RunAsync(executable, "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains(executable, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NativeAgent_AnswersVersion()
    {
        var native = RepoPaths.NativeAgent;
        Assert.True(File.Exists(native), $"{native} is missing: ./test.sh publishes the NativeAOT agent there");
        Assert.False(File.Exists(native + ".dll"), "the published agent must be a native executable, not a framework-dependent one");

        var (exitCode, output) = await ExternalProcess.RunAsync(native, TimeSpan.FromSeconds(30), "--version");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("0.1.0", output.Trim(), StringComparison.Ordinal);
    }

    internal static Task<(int ExitCode, string Output)> RunAsync(string executable, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, executable + ".dll");
        Assert.True(File.Exists(dll), $"{dll} was not built beside the tests");
        return ExternalProcess.RunAsync("dotnet", TimeSpan.FromSeconds(60), [dll, .. arguments]);
    }
}
