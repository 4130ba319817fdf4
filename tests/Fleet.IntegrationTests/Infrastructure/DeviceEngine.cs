using System.Globalization;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>
/// A second, private <c>dockerd</c> for one simulated device: its own data root, exec root, socket and
/// default bridge, so several devices can run side by side on this machine without seeing each
/// other's containers. Not <c>--bridge none</c>: a dockerd started so deletes the host's <c>docker0</c>,
/// which breaks the main engine's default network for every other test. Images come from the main engine with <c>docker save | docker load</c>,
/// since nothing can be pulled here.
/// </summary>
internal sealed class DeviceEngine : IAsyncDisposable
{
    private static int s_engines;
    private readonly string _root;
    private readonly string _bridge;
    private readonly string[] _arguments;
    private ExternalProcess _dockerd;

    private DeviceEngine(string root, string bridge, string[] arguments)
    {
        _root = root;
        _bridge = bridge;
        _arguments = arguments;
        _dockerd = ExternalProcess.Start("dockerd", arguments);
    }

    /// <summary>The socket path; short, since unix socket paths are limited to 108 bytes.</summary>
    public string Socket => Path.Combine(_root, "d.sock");

    /// <summary>The engine's URI as the agent's <c>Docker</c> option and <c>docker -H</c> take it.</summary>
    public string Uri => "unix://" + Socket;

    public string Output => _dockerd.Output;

    public static async Task<DeviceEngine> StartAsync(params string[] images)
    {
        var root = Directory.CreateTempSubdirectory("fleet-eng-").FullName;
        var number = Interlocked.Increment(ref s_engines);
        var bridge = string.Create(CultureInfo.InvariantCulture, $"fe{Environment.ProcessId % 100000}x{number}");
        var subnet = string.Create(CultureInfo.InvariantCulture, $"10.{200 + (Environment.ProcessId % 50)}.{number % 250}.1/24");
        await Ip("link", "add", bridge, "type", "bridge");
        await Ip("addr", "add", subnet, "dev", bridge);
        await Ip("link", "set", bridge, "up");
        var engine = new DeviceEngine(
            root,
            bridge,
            [
                "--data-root", Path.Combine(root, "data"),
                "--exec-root", Path.Combine(root, "exec"),
                "--pidfile", Path.Combine(root, "dockerd.pid"),
                "-H", "unix://" + Path.Combine(root, "d.sock"),
                "--bridge", bridge,
                // Its own address pool, so its networks never take (or, left behind, block) the main engine's.
                "--default-address-pool", string.Create(CultureInfo.InvariantCulture, $"base=10.{100 + (number % 100)}.0.0/16,size=24"),
                "--iptables=false",
            ]);
        try
        {
            await engine.AnsweringAsync();
            if (images.Length > 0)
            {
                var load = await ExternalProcess.RunAsync(
                    "bash",
                    TimeSpan.FromMinutes(2),
                    "-c",
                    $"set -o pipefail; docker save {string.Join(' ', images)} | docker -H {engine.Uri} load");
                Assert.True(load.ExitCode == 0, $"loading {string.Join(", ", images)} into {engine.Uri}: {load.Output}");
            }

            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops the engine as <c>systemctl restart docker</c> does (SIGTERM: its containers stop, they are not
    /// removed) and starts it again on the same directories and socket.
    /// </summary>
    public async Task RestartAsync()
    {
        await _dockerd.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(60));
        await _dockerd.DisposeAsync();

        // dockerd 20.10, started again with --bridge X, clears its stale default network and then deletes
        // the host's docker0 by name, whatever bridge it uses: the main engine's default network would be
        // gone. Put docker0 back the moment it disappears, until this engine answers and a little after.
        var docker0 = (await ExternalProcess.RunAsync("ip", TimeSpan.FromSeconds(30), "-o", "-4", "addr", "show", "docker0")).Output
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(f => f != "inet").Skip(1).FirstOrDefault();
        using var guarding = new CancellationTokenSource();
        var guard = docker0 is null ? Task.CompletedTask : KeepBridgeAsync("docker0", docker0, guarding.Token);
        _dockerd = ExternalProcess.Start("dockerd", _arguments);
        await AnsweringAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await guarding.CancelAsync();
        await guard;
    }

    private static async Task KeepBridgeAsync(string name, string address, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if ((await ExternalProcess.RunAsync("ip", TimeSpan.FromSeconds(30), "link", "show", name)).ExitCode != 0)
            {
                await Ip("link", "add", name, "type", "bridge");
                await Ip("addr", "add", address, "dev", name);
                await Ip("link", "set", name, "up");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }
    }

    /// <summary>Runs <c>docker -H SOCKET ARGS</c> to its end.</summary>
    public (int ExitCode, string Output) Docker(TimeSpan timeout, params string[] arguments) =>
        ExternalProcess.RunAsync("docker", timeout, ["-H", Uri, .. arguments]).GetAwaiter().GetResult();

    /// <summary>The running containers of compose project <paramref name="project"/>, each as <paramref name="format"/> (<c>docker ps --format</c>) shows it, sorted.</summary>
    public IReadOnlyList<string> RunningContainers(string project, string format = "{{.Names}}")
    {
        var (code, output) = Docker(
            TimeSpan.FromSeconds(30),
            "ps", "--filter", "label=com.docker.compose.project=" + project, "--format", format);
        Assert.True(code == 0, output);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_dockerd.HasExited)
        {
            // Containers first, so the engine leaves no mounts behind for the directory removal.
            var ids = Docker(TimeSpan.FromSeconds(30), "ps", "-aq").Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (ids.Length > 0)
            {
                Docker(TimeSpan.FromMinutes(1), ["rm", "-f", "-v", .. ids]);
            }

            // Networks too: a dockerd leaves its bridges on the host when it stops, and they would
            // outlive the engine and collide with the main engine's address pools.
            Docker(TimeSpan.FromMinutes(1), "network", "prune", "-f");

            await _dockerd.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30));
        }

        await _dockerd.DisposeAsync();
        await Ip("link", "del", _bridge);
        var (code, output) = await ExternalProcess.RunAsync("rm", TimeSpan.FromMinutes(1), "-rf", _root);
        Assert.True(code == 0, string.Create(CultureInfo.InvariantCulture, $"removing {_root}: {output}"));
    }

    private Task AnsweringAsync() =>
        Eventually.TrueAsync(
            () => !_dockerd.HasExited && Docker(TimeSpan.FromSeconds(5), "version").ExitCode == 0,
            TimeSpan.FromSeconds(60),
            () => $"dockerd at {Socket} did not answer:\n{_dockerd.Output}");

    private static async Task Ip(params string[] arguments)
    {
        var (code, output) = await ExternalProcess.RunAsync("ip", TimeSpan.FromSeconds(30), arguments);
        Assert.True(code == 0, $"ip {string.Join(' ', arguments)}: {output}");
    }
}
