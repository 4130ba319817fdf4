using System.Text.Json;
using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Agent.Hosting;
using Fleet.Protocol.Enrollment;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>One simulated device of the end-to-end tests: enrolled with the controller, its own dockerd, the real native agent.</summary>
internal sealed class FleetDevice : IAsyncDisposable
{
    /// <summary>The agent writes the status camel-cased, with its source-generated context (internal to the agent).</summary>
    private static readonly JsonSerializerOptions StatusJson = new(JsonSerializerDefaults.Web);
    private readonly EnrollmentResponse _enrolled;
    private readonly IReadOnlyDictionary<string, string>? _settings;
    private readonly System.Text.StringBuilder _earlierRuns = new();
    private ExternalProcess? _agent;

    private FleetDevice(string id, DeviceEngine engine, string data, EnrollmentResponse enrolled, IReadOnlyDictionary<string, string>? settings)
    {
        _settings = settings;
        Id = id;
        Engine = engine;
        Data = data;
        _enrolled = enrolled;
    }

    public string Id { get; }

    public DeviceEngine Engine { get; }

    public string Data { get; }

    /// <summary>The running agent.</summary>
    public ExternalProcess Agent => _agent ?? throw new InvalidOperationException($"the agent of {Id} is not running");

    /// <summary>The output of every run of the agent so far, for failure messages.</summary>
    public string Output => _earlierRuns.ToString() + _agent?.Output;

    /// <summary>Enrolled with <paramref name="controller"/>, its agent not started yet.</summary>
    /// <param name="settings">FLEET_AGENT__ settings (without the prefix) over NativeAgent's, for every start of the agent.</param>
    public static async Task<FleetDevice> EnrollAsync(
        ControllerClient controller, string id, DeviceEngine engine, IReadOnlyDictionary<string, string>? settings, params (string Key, string Value)[] labels)
    {
        var enrolled = await controller.EnrollAsync(id, labels);
        return new FleetDevice(id, engine, Directory.CreateTempSubdirectory("fleet-e2e-agent-").FullName, enrolled, settings);
    }

    public static Task<FleetDevice> EnrollAsync(
        ControllerClient controller, string id, DeviceEngine engine, params (string Key, string Value)[] labels) =>
        EnrollAsync(controller, id, engine, null, labels);

    public static async Task<FleetDevice> EnrollAndStartAsync(
        ControllerClient controller, string id, DeviceEngine engine, IReadOnlyDictionary<string, string>? settings, params (string Key, string Value)[] labels)
    {
        var device = await EnrollAsync(controller, id, engine, settings, labels);
        device.StartAgent();
        return device;
    }

    public static Task<FleetDevice> EnrollAndStartAsync(
        ControllerClient controller, string id, DeviceEngine engine, params (string Key, string Value)[] labels) =>
        EnrollAndStartAsync(controller, id, engine, null, labels);

    /// <summary>Starts the agent on the device's data directory, with its enrollment, the device's settings and <paramref name="settings"/> over it.</summary>
    public void StartAgent(IReadOnlyDictionary<string, string>? settings = null)
    {
        Assert.True(_agent is null, $"the agent of {Id} runs already");
        var merged = new Dictionary<string, string>(_settings ?? new Dictionary<string, string>());
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        _agent = NativeAgent.StartEnrolled(Data, _enrolled, Engine.Uri, merged);
    }

    /// <summary>Starts the agent again on the same data directory after it exited (killed); its earlier output stays in <see cref="Output"/>.</summary>
    public async Task RestartAgentAsync()
    {
        var agent = Agent;
        Assert.True(agent.HasExited, $"the agent of {Id} still runs");
        _earlierRuns.Append(agent.Output).AppendLine("--- agent exited ---");
        await agent.DisposeAsync();
        _agent = null;
        StartAgent();
    }

    /// <summary>
    /// Starts the agent as on a device cut off from the network: its broker address is a port on which
    /// nothing listens, so every connection attempt is refused.
    /// </summary>
    public void StartAgentCutOff(IReadOnlyDictionary<string, string>? settings = null) =>
        StartAgent(new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Broker__Server"] = $"mqtt://127.0.0.1:{FreePort.Next()}",
        });

    /// <summary>Stops the agent gracefully (it says <c>offline</c> to the broker first); its containers keep running.</summary>
    public async Task StopAgentAsync()
    {
        var agent = Agent;
        var exit = await agent.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30));
        _earlierRuns.Append(agent.Output).AppendLine("--- agent stopped (TERM) ---");
        await agent.DisposeAsync();
        _agent = null;
        Assert.True(exit == 0, $"the agent of {Id} exits 0 on TERM, not {exit}:\n{Output}");
    }

    /// <summary>What <c>fleet-agent status --json</c> says: the agent's status, events the broker has not taken yet, the most recent ones.</summary>
    public async Task<LocalStatus> LocalStatusAsync()
    {
        var (code, output) = await RunStatusAsync();
        Assert.True(code == 0, output);
        return JsonSerializer.Deserialize<LocalStatus>(output, StatusJson)!;
    }

    /// <summary>
    /// <see cref="LocalStatusAsync"/>, or null while it cannot answer: an agent that has just started holds its
    /// data directory a moment before its socket answers, and <c>status</c> says so and exits 1.
    /// </summary>
    public async Task<LocalStatus?> TryLocalStatusAsync()
    {
        var (code, output) = await RunStatusAsync();
        return code == 0 ? JsonSerializer.Deserialize<LocalStatus>(output, StatusJson) : null;
    }

    private Task<(int Code, string Output)> RunStatusAsync() =>
        ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(30), "status", "--data", Data, "--json");

    /// <summary>The images of the running containers of compose project <paramref name="project"/>, sorted.</summary>
    public IReadOnlyList<string> RunningImages(string project) => Engine.RunningContainers(project, "{{.Image}}");

    public async ValueTask DisposeAsync()
    {
        // The agent first: it would put the stack back while the engine takes it down.
        if (_agent is not null)
        {
            if (!_agent.HasExited)
            {
                await _agent.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30));
            }

            await _agent.DisposeAsync();
        }

        await Engine.DisposeAsync();
        Directory.Delete(Data, recursive: true);
    }
}
