using System.Text.RegularExpressions;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>
/// A real mosquitto broker on free loopback ports, in a temporary directory of its own: by default
/// a bare anonymous listener; with <see cref="ConfigFile"/>, that file as written (deploy/mosquitto/).
/// </summary>
public sealed partial class MosquittoBroker : IAsyncLifetime
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("fleet-mosquitto-").FullName;
    private ExternalProcess? _process;
    private List<int>? _listenerPorts;

    /// <summary>The first listener's port (the only one without <see cref="ConfigFile"/>).</summary>
    public int Port { get; } = FreePort.Next();

    /// <summary>With certificates, the listener speaks TLS only and requires a client certificate signed by the CA.</summary>
    internal TestCertificates? Tls { get; init; }

    /// <summary>
    /// The bare listener with persistence on, as deploy/mosquitto/mosquitto.conf has it: sessions (with their
    /// queued messages) and retained messages survive <see cref="StopGracefullyAsync"/> and a start. It runs as
    /// the test's user: dropping to <c>mosquitto</c> it could not write its database in the test's directory.
    /// </summary>
    public bool Persistent { get; init; }

    /// <summary>
    /// A production config to run as it is, but for what cannot be used on a test machine:
    /// each <c>listener PORT</c> moves to a free port on 127.0.0.1 (in order, see <see cref="ListenerPorts"/>),
    /// the files it names under /etc/mosquitto/ and its persistence location move into <see cref="Directory"/>
    /// (the files beside the config, such as ACLs, are copied there; password files are the test's to make),
    /// logs go to stdout, it writes its pid to <see cref="PidFile"/>, and it runs as the test's user instead of
    /// dropping privileges to <c>mosquitto</c>.
    /// </summary>
    public string? ConfigFile { get; init; }

    /// <summary>
    /// Files (names in <see cref="Directory"/>) to run mosquitto under deploy/mosquitto/reload-on-change.sh for, as
    /// deploy/compose does: in busybox's sh with its tools (the eclipse-mosquitto image's), polling every 0.2 s and
    /// sending mosquitto SIGHUP when one changes. The stop methods then signal the script, which stops mosquitto.
    /// </summary>
    public IReadOnlyList<string>? ReloadOnChange { get; init; }

    /// <summary>Where the broker's files live; a test writes its password files here.</summary>
    public string Directory => _directory;

    /// <summary>The free ports the listeners of <see cref="ConfigFile"/> run on, in the order the file declares them.</summary>
    public IReadOnlyList<int> ListenerPorts => _listenerPorts ??= ConfigFile is null ? [Port] : AllocatePorts(ConfigFile);

    /// <summary>With <see cref="ConfigFile"/>, the broker's pid file (its <c>pid_file</c>): SIGHUP to that pid reloads password and ACL files.</summary>
    public string PidFile => Path.Combine(_directory, "mosquitto.pid");

    public string Output => _process?.Output ?? "";

    public Task InitializeAsync() => StartAsync();

    /// <summary>Starts the broker (again, after <see cref="StopAsync"/>) on the same ports.</summary>
    public async Task StartAsync()
    {
        var config = Path.Combine(_directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, ConfigFile is null ? BareConfig() : RewriteConfig(ConfigFile));
        _process = ReloadOnChange is { } watched
            ? ExternalProcess.Start(
                "busybox",
                new Dictionary<string, string> { ["RELOAD_WATCH"] = string.Join(' ', watched.Select(file => Path.Combine(_directory, file))), ["RELOAD_INTERVAL"] = "0.2" },
                "sh",
                Path.Combine(RepoPaths.Root, "deploy", "mosquitto", "reload-on-change.sh"),
                "mosquitto",
                "-c",
                config)
            : ExternalProcess.Start("mosquitto", "-c", config);
        foreach (var port in ListenerPorts)
        {
            await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(15), () => _process.Output);
        }
    }

    /// <summary>Kills the broker, as a power cut or a crash would.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Stops the broker with SIGTERM, as systemd does: with persistence on, it saves its database first.</summary>
    public async Task StopGracefullyAsync()
    {
        if (_process is not null)
        {
            var code = await _process.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(15));
            Assert.True(code == 0, $"mosquitto exited with {code} on SIGTERM:\n{_process.Output}");
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        System.IO.Directory.Delete(_directory, recursive: true);
    }

    private string BareConfig()
    {
        var tls = Tls is { } certificates
            ? $"cafile {certificates.CaFile}\ncertfile {certificates.ServerCertificateFile}\nkeyfile {certificates.ServerKeyFile}\nrequire_certificate true\n"
            : "";
        return $"""
            listener {Port} 127.0.0.1
            {tls}allow_anonymous true
            {(Persistent ? $"persistence true\npersistence_location {_directory}/\nuser {Environment.UserName}" : "persistence false")}
            log_dest stdout
            """;
    }

    private List<int> AllocatePorts(string configFile)
    {
        var count = File.ReadLines(configFile).Count(line => ListenerLine().IsMatch(line));
        Assert.True(count > 0, $"{configFile} declares no listener");
        return [Port, .. Enumerable.Range(1, count - 1).Select(_ => FreePort.Next())];
    }

    private string RewriteConfig(string configFile)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(Path.GetDirectoryName(configFile)!))
        {
            if (!file.EndsWith(".conf", StringComparison.Ordinal) && !file.EndsWith(".md", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(_directory, Path.GetFileName(file)), overwrite: true);
            }
        }

        var data = System.IO.Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName;
        var listener = 0;
        var lines = new List<string>();
        foreach (var line in File.ReadLines(configFile))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            lines.Add(words switch
            {
                _ when ListenerLine().IsMatch(line) => $"listener {ListenerPorts[listener++]} 127.0.0.1",
                ["persistence_location", _] => $"persistence_location {data}/",
                ["pid_file", _] => "",
                ["log_dest", ..] => "log_dest stdout",
                [var option, var path] when path.StartsWith("/etc/mosquitto/", StringComparison.Ordinal) =>
                    $"{option} {Path.Combine(_directory, Path.GetFileName(path))}",
                _ => line,
            });
        }

        lines.Add($"user {Environment.UserName}");
        lines.Add($"pid_file {PidFile}");
        var text = string.Join('\n', lines) + "\n";
        Assert.DoesNotMatch(@"(?m)^[^#]*\s/(etc|var)/", text);
        return text;
    }

    [GeneratedRegex(@"^listener\s+\d+")]
    private static partial Regex ListenerLine();
}
