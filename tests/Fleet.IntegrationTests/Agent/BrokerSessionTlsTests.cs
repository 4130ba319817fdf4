using System.Collections.Concurrent;
using Fleet.Agent.Mqtt;
using Fleet.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.IntegrationTests.Agent;

/// <summary>The agent's session over mqtts:// to a real mosquitto that requires TLS and a client certificate.</summary>
public sealed class BrokerSessionTlsTests : IAsyncLifetime, IDisposable
{
    private readonly TestCertificates _certificates = new();
    private readonly MosquittoBroker _broker;

    public BrokerSessionTlsTests()
    {
        _broker = new MosquittoBroker { Tls = _certificates };
    }

    public Task InitializeAsync() => _broker.InitializeAsync();

    public Task DisposeAsync() => _broker.DisposeAsync();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task Session_WithTheCaAndAClientCertificate_Connects()
    {
        var connected = await TryConnectAsync(_certificates.CaFile, _certificates.ClientCertificateFile, _certificates.ClientKeyFile);

        Assert.True(connected, "the session connects over TLS with the CA file and client certificate");
    }

    [Fact]
    public async Task Session_WithoutAClientCertificate_IsRefusedAndKeepsRetrying()
    {
        var connected = await TryConnectAsync(_certificates.CaFile, null, null);

        Assert.False(connected, "the broker requires a client certificate");
    }

    [Fact]
    public async Task Session_WithoutTheCa_DoesNotTrustTheBroker()
    {
        var connected = await TryConnectAsync(null, _certificates.ClientCertificateFile, _certificates.ClientKeyFile);

        Assert.False(connected, "a server certificate from an unknown CA is not trusted");
    }

    private async Task<bool> TryConnectAsync(string? caFile, string? certificate, string? key)
    {
        var options = new BrokerOptions
        {
            Server = new Uri($"mqtts://localhost:{_broker.Port}"),
            ClientId = $"tls-{Guid.NewGuid():N}"[..16],
            CaFile = caFile,
            ClientCertificateFile = certificate,
            ClientKeyFile = key,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            Reconnect = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300)),
        };
        Assert.Empty(options.Validate());
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var session = new BrokerSession(options, (_, _) => Task.CompletedTask, TimeProvider.System, NullLogger<BrokerSession>.Instance)
        {
            ConnectedAsync = (_, _) =>
            {
                connected.TrySetResult();
                return Task.CompletedTask;
            },
        };
        using var stop = new CancellationTokenSource();
        var run = session.RunAsync(stop.Token);
        // A bound, not a sleep: it ends at once when the session connects; the refused cases show
        // that no connect happens within it (a dozen retries at this backoff).
        var finished = await Task.WhenAny(connected.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        await stop.CancelAsync();
        await run;
        return finished == connected.Task;
    }
}
