using System.Globalization;
using System.Net.Http.Headers;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Controller;

/// <summary>
/// The <c>fleet-controller</c> executable as an operator runs it
/// (<c>fleet-controller run --data DIR --urls URL --mqtt-port PORT</c>), its own process on free ports,
/// that a test can kill (<c>kill -9</c>: no graceful stop, no final flush) and start again on the same
/// data directory and ports.
/// </summary>
internal sealed class ControllerProcess : ControllerClient
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("fleet-controller-proc-").FullName;
    private readonly int _apiPort = FreePort.Next();
    private readonly int _mqttPort = FreePort.Next();
    private readonly System.Text.StringBuilder _earlierRuns = new();
    private ExternalProcess? _process;

    private ControllerProcess()
    {
    }

    /// <summary>The executable beside the tests.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "fleet-controller.dll");

    public override Uri ApiUri => new($"http://127.0.0.1:{_apiPort}");

    public override int MqttPort => _mqttPort;

    /// <summary>The output of every run so far, for failure messages.</summary>
    public string Output => _earlierRuns.ToString() + _process?.Output;

    /// <summary>A controller process whose signing key the offline root has certified: ready to enroll and sign.</summary>
    public static async Task<ControllerProcess> StartWithKeysAsync()
    {
        var controller = new ControllerProcess();
        await controller.StartAsync();
        await controller.InitKeysAsync();
        return controller;
    }

    /// <summary><c>kill -9</c>, as a crash or a power cut would stop it.</summary>
    public async Task KillAsync()
    {
        var process = _process!;
        await process.SignalAndWaitAsync("KILL", TimeSpan.FromSeconds(30));
        _earlierRuns.Append(process.Output).AppendLine("--- killed (SIGKILL) ---");
        await process.DisposeAsync();
        _process = null;
    }

    /// <summary>
    /// Starts it again on the same data directory and ports, and waits until it answers; <paramref name="settings"/>
    /// (FLEET_CONTROLLER__ names without the prefix) go over the defaults here for this run only.
    /// </summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        Assert.Null(_process);
        var environment = new Dictionary<string, string>
        {
            ["FLEET_CONTROLLER__MqttBindAddress"] = "127.0.0.1",
            ["FLEET_CONTROLLER__FlushMilliseconds"] = "50",
            ["FLEET_CONTROLLER__WriteDelayMilliseconds"] = "100",
            ["FLEET_CONTROLLER__HeartbeatWriteDelayMilliseconds"] = "100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment["FLEET_CONTROLLER__" + key] = value;
        }

        _process = ExternalProcess.Start(
            "dotnet",
            environment,
            Dll, "run", "--data", _data, "--urls", ApiUri.GetLeftPart(UriPartial.Authority), "--mqtt-port", _mqttPort.ToString(CultureInfo.InvariantCulture));
        var process = _process;
        var token = Path.Combine(_data, "operator-token");
        using var probe = new HttpClient { BaseAddress = ApiUri, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(
            () => !process.HasExited && File.Exists(token) && Answers(probe),
            StartTimeout,
            () => $"fleet-controller answers /healthz:\n{Output}");
        Http.Dispose();
        Http = new HttpClient { BaseAddress = ApiUri };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(token)).Trim());
    }

    public override async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                await process.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30));
            }

            await process.DisposeAsync();
        }

        Root.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private static bool Answers(HttpClient probe)
    {
        try
        {
            using var response = probe.GetAsync(new Uri("/healthz", UriKind.Relative)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
