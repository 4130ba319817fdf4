using Fleet.Compose;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Executables;

/// <summary>
/// The linux-arm64 agent, cross-compiled with NativeAOT by deploy/build-agent.sh, run under
/// qemu-aarch64-static the way a Raspberry Pi would run it. Debian's arm64 packages (multiarch) put the
/// aarch64 loader, C library and OpenSSL where an arm64 Debian has them, so the sysroot is /.
/// </summary>
public sealed class Arm64AgentTests : IDisposable
{
    private const ushort MachineAarch64 = 183; // EM_AARCH64
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fleet-arm64-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Binary_IsA64BitLittleEndianAarch64Elf()
    {
        var header = new byte[20];
        using (var file = File.OpenRead(Binary))
        {
            file.ReadExactly(header);
        }

        Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], header[..4]);
        Assert.Equal((byte)2, header[4]); // ELFCLASS64
        Assert.Equal((byte)1, header[5]); // ELFDATA2LSB
        Assert.Equal(MachineAarch64, BitConverter.ToUInt16(header, 18));
    }

    [Fact]
    public async Task Version_UnderQemu_PrintsTheProductVersion()
    {
        var (exitCode, output) = await RunAsync([], "--version");

        Assert.True(exitCode == 0, output);
        Assert.StartsWith("0.1.0", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_UnderQemu_GivesTheSameDigestAsTheLibrary()
    {
        // Loading, interpolation and the SHA-256 digest (OpenSSL, loaded at run time) all run on arm64.
        var stack = Path.Combine(RepoPaths.Root, "tests", "Fleet.IntegrationTests", "Compose", "Stacks", "basic", "compose.yaml");
        var expected = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [new ComposeFile(stack)],
            ProjectName = "p",
            Environment = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("MODE", "prod").Add("HOME", "/root"),
        }).Project!.Digest;

        var (exitCode, output) = await RunAsync(["MODE=prod", "HOME=/root"], "config", "-f", stack, "-p", "p", "--digest");

        Assert.Equal((0, expected), (exitCode, output.Trim()));
    }

    [Fact]
    public async Task Config_UnderQemu_PrintsTheNormalizedStack()
    {
        var file = Path.Combine(_directory.FullName, "compose.yaml");
        await File.WriteAllTextAsync(file, "services:\n  web:\n    image: fleet-test/busybox:${TAG:-1}\n    ports: [\"8080:80\"]\n");

        var (exitCode, output) = await RunAsync(["TAG=2"], "config", "-f", file, "-p", "p", "--format", "json");

        Assert.True(exitCode == 0, output);
        using var document = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("fleet-test/busybox:2", document.RootElement.GetProperty("services").GetProperty("web").GetProperty("image").GetString());
    }

    [Fact]
    public async Task Config_UnderQemu_WithAnUnknownKey_PrintsOneLineAndExitsOne()
    {
        var file = Path.Combine(_directory.FullName, "compose.yaml");
        await File.WriteAllTextAsync(file, "services:\n  web:\n    image: fleet-test/busybox:1\n    imagee: nginx\n");

        var (exitCode, output) = await RunAsync([], "config", "-f", file);

        Assert.Equal(1, exitCode);
        Assert.Equal("compose.yaml:4:5: service web: unknown key \"imagee\" (did you mean \"image\"?)", output.Trim());
    }

    [Fact]
    public async Task BuildScript_WithAnUnknownArchitecture_PrintsOneLineAndExitsOne()
    {
        var (exitCode, output) = await ExternalProcess.RunAsync(BuildScript, Timeout, "--arch", "riscv64");

        Assert.Equal((1, "build-agent: unknown architecture 'riscv64' (x64 or arm64)"), (exitCode, output.Trim()));
    }

    [Fact]
    public async Task BuildScript_PassesShellcheck()
    {
        var (exitCode, output) = await ExternalProcess.RunAsync("shellcheck", Timeout, "-x", BuildScript);

        Assert.True(exitCode == 0, output);
    }

    private static string BuildScript => Path.Combine(RepoPaths.Root, "deploy", "build-agent.sh");

    private static string Binary
    {
        get
        {
            var binary = RepoPaths.Arm64Agent;
            Assert.True(File.Exists(binary), $"{binary} is missing: ./test.sh builds it with deploy/build-agent.sh --arch arm64");
            return binary;
        }
    }

    /// <summary>Runs the arm64 agent under qemu with only <paramref name="environment"/> set.</summary>
    private static Task<(int ExitCode, string Output)> RunAsync(string[] environment, params string[] arguments) =>
        ExternalProcess.RunAsync("env", Timeout, ["-i", .. environment, "qemu-aarch64-static", "-L", "/", Binary, .. arguments]);
}
