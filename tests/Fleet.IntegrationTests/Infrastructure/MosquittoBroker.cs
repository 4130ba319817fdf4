namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>A real mosquitto broker on a free loopback port, in a temporary directory of its own.</summary>
public sealed class MosquittoBroker : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-mosquitto-").FullName;
    private ExternalProcess? _process;

    public int Port { get; } = FreePort.Next();

    /// <summary>With certificates, the listener speaks TLS only and requires a client certificate signed by the CA.</summary>
    internal TestCertificates? Tls { get; init; }

    public Task InitializeAsync() => StartAsync();

    /// <summary>Starts the broker (again, after <see cref="StopAsync"/>) on the same port.</summary>
    public async Task StartAsync()
    {
        var config = Path.Combine(_directory, "mosquitto.conf");
        var tls = Tls is { } certificates
            ? $"cafile {certificates.CaFile}\ncertfile {certificates.ServerCertificateFile}\nkeyfile {certificates.ServerKeyFile}\nrequire_certificate true\n"
            : "";
        await File.WriteAllTextAsync(config, $"""
            listener {Port} 127.0.0.1
            {tls}allow_anonymous true
            persistence false
            log_dest stdout
            """);
        _process = ExternalProcess.Start("mosquitto", "-c", config);
        await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(15), () => _process.Output);
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

    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
