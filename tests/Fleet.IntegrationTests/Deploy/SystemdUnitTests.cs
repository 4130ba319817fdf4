using System.Net.Sockets;
using System.Text;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Keys;

namespace Fleet.IntegrationTests.Deploy;

/// <summary>
/// deploy/systemd/. systemd is not PID 1 on the test machine, so the units are checked by
/// systemd-analyze, and the agent's side of Type=notify and WatchdogSec= by running the real agent
/// the way systemd starts it: as the child of a process named systemd, with NOTIFY_SOCKET and
/// WATCHDOG_USEC set.
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private static readonly string UnitDirectory = Path.Combine(RepoPaths.Root, "deploy", "systemd");
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-systemd-it-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Units_PassSystemdAnalyzeVerify_WithoutAnyWarning()
    {
        // A root of its own: systemd's own units, the Fleet units, and a stub at each ExecStart path.
        var root = Directory.CreateDirectory(Path.Combine(_directory, "root")).FullName;
        var systemUnits = Directory.CreateDirectory(Path.Combine(root, "usr", "lib", "systemd")).FullName;
        var (copied, copyOutput) = await ExternalProcess.RunAsync("cp", TimeSpan.FromSeconds(60), "-a", "/usr/lib/systemd/system", systemUnits);
        Assert.True(copied == 0, copyOutput);
        var units = Directory.GetFiles(UnitDirectory, "*.service");
        Assert.Equal(["fleet-agent.service", "fleet-controller.service"], units.Select(Path.GetFileName).Order());
        foreach (var unit in units)
        {
            var executable = root + Settings(unit)["ExecStart"].Split(' ')[0];
            Directory.CreateDirectory(Path.GetDirectoryName(executable)!);
            await File.WriteAllTextAsync(executable, "#!/bin/sh\n");
            File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            File.Copy(unit, Path.Combine(Directory.CreateDirectory(Path.Combine(root, "etc", "systemd", "system")).FullName, Path.GetFileName(unit)));
        }

        var (code, output) = await ExternalProcess.RunAsync("systemd-analyze", TimeSpan.FromSeconds(60), ["verify", $"--root={root}", .. units.Select(Path.GetFileName)!]);

        Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify exited {code}:\n{output}");
    }

    [Fact]
    public void AgentUnit_KeepsTheDockerSocketReachable_AndOnlyTheDataDirectoryWritable()
    {
        var settings = Settings(Path.Combine(UnitDirectory, "fleet-agent.service"));

        Assert.Equal("notify", settings["Type"]);
        Assert.Equal("on-failure", settings["Restart"]);
        Assert.Equal("strict", settings["ProtectSystem"]);
        Assert.Contains("/var/lib/fleet-agent", settings["ExecStart"], StringComparison.Ordinal);
        Assert.Equal("/var/lib/fleet-agent", settings["ReadWritePaths"]);
        // Each of these would cut the agent off from /run/docker.sock or its own unix socket.
        Assert.DoesNotContain("PrivateDevices", settings.Keys);
        Assert.DoesNotContain("RestrictAddressFamilies", settings.Keys);
        Assert.DoesNotContain("PrivateNetwork", settings.Keys);
        Assert.DoesNotContain("InaccessiblePaths", settings.Keys);
    }

    [Fact]
    public async Task AgentStartedAsTheUnitSays_ReportsReady_AndPingsTheWatchdog()
    {
        var settings = Settings(Path.Combine(UnitDirectory, "fleet-agent.service"));
        Assert.Equal("notify", settings["Type"]);
        var watchdog = TimeSpan.FromSeconds(int.Parse(settings["WatchdogSec"].TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture));
        var data = Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName;
        var arguments = settings["ExecStart"].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(a => a.Replace("/var/lib/fleet-agent", data, StringComparison.Ordinal));
        using var keys = SigningKey.Generate();
        var rootKey = Path.Combine(_directory, "root.pem");
        await File.WriteAllTextAsync(rootKey, keys.ExportPublicKeyPem());

        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var notifySocket = Path.Combine(_directory, "notify.sock");
        notify.Bind(new UnixDomainSocketEndPoint(notifySocket));

        // The .NET host believes it runs under systemd when its parent process is named systemd.
        var systemd = Path.Combine(_directory, "systemd");
        File.Copy("/bin/sh", systemd);
        await using var agent = ExternalProcess.Start(
            systemd,
            new Dictionary<string, string>
            {
                ["NOTIFY_SOCKET"] = notifySocket,
                ["WATCHDOG_USEC"] = ((long)watchdog.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["FLEET_AGENT__DeviceId"] = "systemd-it",
                ["FLEET_AGENT__RootKey"] = rootKey,
                ["FLEET_AGENT__Docker"] = $"unix://{Path.Combine(_directory, "no-engine.sock")}",
            },
            ["-c", "\"$0\" \"$@\"; exit $?", NativeAgent.Executable, .. arguments]);

        var seen = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        while (!(seen.Contains("READY=1") && seen.Contains("WATCHDOG=1")))
        {
            try
            {
                var length = await notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                seen.AddRange(Encoding.UTF8.GetString(buffer, 0, length).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"systemd got only [{string.Join(", ", seen)}] within 30 s; agent output:\n{agent.Output}");
            }
        }

        Assert.False(agent.HasExited, agent.Output);
    }

    /// <summary>The unit's [Service] and [Unit] settings, one value per key (the last one wins, as in systemd for these keys).</summary>
    private static Dictionary<string, string> Settings(string unitFile) =>
        File.ReadLines(unitFile)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && line[0] is not ('#' or ';' or '[') && line.Contains('=', StringComparison.Ordinal))
            .Select(line => line.Split('=', 2))
            .GroupBy(pair => pair[0])
            .ToDictionary(group => group.Key, group => group.Last()[1]);
}
