using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

// Usage: Fleet.Agent.Footprint AGENT ROUNDS [rollback]
// Starts mosquitto, signs a desired state with a 3-service stack, and per round: starts the native
// agent, times process start to its retained "online" (and, as the reference in the same run,
// mosquitto_pub's start to its message), waits until the stack is committed and the agent idles,
// then reads VmRSS. Prints one markdown table.
// With "rollback": per round, commits the 3-service stack, then a release whose healthcheck never
// becomes healthy, and times the end of its health window to the previous release running again.
var agent = Path.GetFullPath(args[0]);
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var rollbackMode = args.Length > 2 && args[2] == "rollback";
var work = Directory.CreateTempSubdirectory("fleet-footprint-").FullName;
var port = FreePort();
File.WriteAllText(Path.Combine(work, "mosquitto.conf"), $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n");
using var broker = Process.Start("mosquitto", ["-c", Path.Combine(work, "mosquitto.conf")]);
await WaitListeningAsync(port);

using var root = SigningKey.Generate();
using var signer = SigningKey.Generate("ctl-bench");
var rootPem = Path.Combine(work, "root.pem");
File.WriteAllText(rootPem, root.ExportPublicKeyPem());
var certificate = ProtocolJson.Serialize(
    new KeyCertificate { Kid = signer.Kid, PublicKey = signer.PublicKey.PublicKey, NotBefore = DateTimeOffset.UtcNow.AddDays(-1), NotAfter = DateTimeOffset.UtcNow.AddDays(1), Serial = 1 },
    ProtocolJsonContext.Default.KeyCertificate);
var trust = ProtocolJson.Serialize(new TrustDocuments { Certificates = [EnvelopeSigner.Sign(root, certificate)] }, ProtocolJsonContext.Default.TrustDocuments);

var factory = new MqttClientFactory();
using var probe = factory.CreateMqttClient();
var seen = new List<(string Topic, string Text, long Ticks)>();
probe.ApplicationMessageReceivedAsync += e =>
{
    lock (seen)
    {
        seen.Add((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload), Stopwatch.GetTimestamp()));
    }

    return Task.CompletedTask;
};
await probe.ConnectAsync(factory.CreateClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500).Build());
await probe.SubscribeAsync(factory.CreateSubscribeOptionsBuilder().WithTopicFilter("fleet/#", MqttQualityOfServiceLevel.AtLeastOnce).WithTopicFilter("bench/#").Build());

if (rollbackMode)
{
    await RollbackRoundsAsync();
    broker.Kill();
    Directory.Delete(work, recursive: true);
    return 0;
}

// FLEET_FOOTPRINT_IDLE_SECONDS: how long the agent idles before its memory is read (default 10).
var idleSeconds = int.TryParse(Environment.GetEnvironmentVariable("FLEET_FOOTPRINT_IDLE_SECONDS"), CultureInfo.InvariantCulture, out var idle) ? idle : 10;
var rows = new List<(double AgentMs, double ReferenceMs, double RssMb)>();
for (var round = 0; round < rounds; round++)
{
    var device = $"bench-{round}-{Guid.NewGuid():N}"[..20];
    var data = Directory.CreateDirectory(Path.Combine(work, device)).FullName;
    var stack = $"fp{round}{Guid.NewGuid():N}"[..12];
    var desired = new DesiredState
    {
        DeviceId = device,
        Version = 1,
        IssuedAt = DateTimeOffset.UtcNow,
        AcceptUntil = DateTimeOffset.UtcNow.AddHours(1),
        Stacks = [new StackSpec { Name = stack, Digest = "sha256:0", Compose = "services:\n  a:\n    image: fleet-test/busybox:1\n    stop_grace_period: 1s\n  b:\n    image: fleet-test/busybox:1\n    stop_grace_period: 1s\n  c:\n    image: fleet-test/busybox:2\n    stop_grace_period: 1s\n" }],
    };
    await PublishAsync($"fleet/v1/dev/{device}/trust", trust);
    await PublishAsync($"fleet/v1/dev/{device}/desired", EnvelopeSigner.Sign(signer, desired, ProtocolJsonContext.Default.DesiredState));

    var start = Stopwatch.GetTimestamp();
    using var process = StartAgent(device, data, healthWindowSeconds: null);
    var online = await WaitForAsync(m => m.Topic == $"fleet/v1/dev/{device}/online" && m.Text == "online");
    await WaitForAsync(m => m.Topic == $"fleet/v1/dev/{device}/status" && m.Text.Contains("\"phase\":\"committed\"", StringComparison.Ordinal));
    await Task.Delay(TimeSpan.FromSeconds(idleSeconds)); // idle: the heartbeat and reconcile timers settle
    var rss = ReadRssMb(process.Id);

    var referenceStart = Stopwatch.GetTimestamp();
    using (var pub = Process.Start("mosquitto_pub", ["-p", port.ToString(CultureInfo.InvariantCulture), "-t", $"bench/{device}", "-m", "online", "-q", "1"]))
    {
        var reference = await WaitForAsync(m => m.Topic == $"bench/{device}");
        await pub.WaitForExitAsync();
        rows.Add((Stopwatch.GetElapsedTime(start, online).TotalMilliseconds, Stopwatch.GetElapsedTime(referenceStart, reference).TotalMilliseconds, rss));
    }

    process.Kill();
    await process.WaitForExitAsync();
    using var down = Process.Start(agent, ["down", "-p", stack]);
    await down.WaitForExitAsync();
}

broker.Kill();
Directory.Delete(work, recursive: true);
static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);
var agentMs = Median(rows.Select(r => r.AgentMs));
var referenceMs = Median(rows.Select(r => r.ReferenceMs));
Console.WriteLine("| measure | median of " + rounds + " | reference in the same run | ratio | target |");
Console.WriteLine("|---|---|---|---|---|");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| process start to connected (retained `online` seen) | {agentMs:F0} ms | mosquitto_pub start to its message seen: {referenceMs:F0} ms | {agentMs / referenceMs:F2} | < 100 ms |"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| resident memory, connected and idle, 3-service stack committed | {Median(rows.Select(r => r.RssMb)):F1} MB | | | ≤ 32 MB |"));
return 0;

// The health window ends with the new release's "a" still starting (its first check is an hour
// away), so the decision falls at the window's end: from there to the rolled-back containers'
// StartedAt is the rollback (the agent's default 1 s look at the engine included).
async Task RollbackRoundsAsync()
{
    const int windowSeconds = 3;
    var times = new List<(double ToRunningMs, double ToReportedMs)>();
    for (var round = 0; round < rounds; round++)
    {
        var device = $"rb-{round}-{Guid.NewGuid():N}"[..20];
        var data = Directory.CreateDirectory(Path.Combine(work, device)).FullName;
        var stack = $"rb{round}{Guid.NewGuid():N}"[..12];
        const string services = "  b:\n    image: fleet-test/busybox:1\n    stop_grace_period: 1s\n  c:\n    image: fleet-test/busybox:2\n    stop_grace_period: 1s\n";
        const string good = "services:\n  a:\n    image: fleet-test/busybox:1\n    stop_grace_period: 1s\n" + services;
        const string starting = "services:\n  a:\n    image: fleet-test/busybox:2\n    stop_grace_period: 1s\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 1h\n" + services;
        await PublishAsync($"fleet/v1/dev/{device}/trust", trust);
        await PublishAsync($"fleet/v1/dev/{device}/desired", Desired(device, 1, stack, good));
        using var process = StartAgent(device, data, windowSeconds);
        await WaitForAsync(m => m.Topic == $"fleet/v1/dev/{device}/status" && m.Text.Contains("\"phase\":\"committed\"", StringComparison.Ordinal));
        await PublishAsync($"fleet/v1/dev/{device}/desired", Desired(device, 2, stack, starting));
        await WaitForAsync(m => m.Topic == $"fleet/v1/dev/{device}/status" && m.Text.Contains("\"phase\":\"rolled-back\"", StringComparison.Ordinal));
        await WaitForAsync(m => m.Topic == $"fleet/v1/dev/{device}/events" && m.Text.Contains("\"rolled-back\"", StringComparison.Ordinal));
        DeviceEvent[] events;
        lock (seen)
        {
            events = [.. seen.Where(m => m.Topic == $"fleet/v1/dev/{device}/events")
                .SelectMany(m => ProtocolJson.Parse(Encoding.UTF8.GetBytes(m.Text), ProtocolJsonContext.Default.EventBatch).Value!.Events)];
        }

        var windowEnd = events.First(e => e is { Kind: "verifying", Version: 2 }).Time.AddSeconds(windowSeconds);
        var reported = events.First(e => e is { Kind: "rolled-back", Version: 2 }).Time;
        using var inspect = Process.Start(new ProcessStartInfo("docker", ["inspect", "-f", "{{.State.StartedAt}}", $"{stack}-a-1"]) { RedirectStandardOutput = true })!;
        var startedAt = DateTimeOffset.Parse((await inspect.StandardOutput.ReadToEndAsync()).Trim(), CultureInfo.InvariantCulture);
        await inspect.WaitForExitAsync();
        times.Add(((startedAt - windowEnd).TotalMilliseconds, (reported - windowEnd).TotalMilliseconds));
        process.Kill();
        await process.WaitForExitAsync();
        using var down = Process.Start(agent, ["down", "-p", stack]);
        await down.WaitForExitAsync();
    }

    Console.WriteLine("| measure (health window " + windowSeconds + " s, 3 services, the failed one recreated) | median of " + rounds + " | min | max |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| end of the health window to the previous release's container started | {Median(times.Select(t => t.ToRunningMs)):F0} ms | {times.Min(t => t.ToRunningMs):F0} ms | {times.Max(t => t.ToRunningMs):F0} ms |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| end of the health window to the rolled-back event | {Median(times.Select(t => t.ToReportedMs)):F0} ms | {times.Min(t => t.ToReportedMs):F0} ms | {times.Max(t => t.ToReportedMs):F0} ms |"));
}

// The native agent as a device runs it, with its output drained.
Process StartAgent(string device, string data, int? healthWindowSeconds)
{
    var info = new ProcessStartInfo(agent) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "run", "--data", data })
    {
        info.ArgumentList.Add(a);
    }

    info.Environment["FLEET_AGENT__DeviceId"] = device;
    info.Environment["FLEET_AGENT__RootKey"] = rootPem;
    info.Environment["FLEET_AGENT__Broker__Server"] = $"mqtt://127.0.0.1:{port}";
    if (healthWindowSeconds is { } window)
    {
        info.Environment["FLEET_AGENT__HealthWindowSeconds"] = window.ToString(CultureInfo.InvariantCulture);
    }

    var process = Process.Start(info)!;
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

byte[] Desired(string device, long version, string stack, string compose) => EnvelopeSigner.Sign(
    signer,
    new DesiredState
    {
        DeviceId = device,
        Version = version,
        IssuedAt = DateTimeOffset.UtcNow,
        AcceptUntil = DateTimeOffset.UtcNow.AddHours(1),
        Stacks = [new StackSpec { Name = stack, Digest = "sha256:0", Compose = compose }],
    },
    ProtocolJsonContext.Default.DesiredState);

async Task PublishAsync(string topic, byte[] payload) =>
    await probe.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

async Task<long> WaitForAsync(Func<(string Topic, string Text, long Ticks), bool> match)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (DateTime.UtcNow < deadline)
    {
        lock (seen)
        {
            foreach (var m in seen)
            {
                if (match(m))
                {
                    return m.Ticks;
                }
            }
        }

        await Task.Delay(5);
    }

    throw new TimeoutException("the expected message never arrived");
}

static double ReadRssMb(int pid) =>
    File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0).Single();

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task WaitListeningAsync(int port)
{
    for (var i = 0; i < 200; i++)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException)
        {
            await Task.Delay(25);
        }
    }

    throw new TimeoutException("mosquitto did not start");
}
