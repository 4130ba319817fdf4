using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Enrollment;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>One simulated device of the end-to-end tests: enrolled with the controller, its own dockerd, the real native agent.</summary>
internal sealed class FleetDevice : IAsyncDisposable
{
    private readonly EnrollmentResponse _enrolled;
    private readonly IReadOnlyDictionary<string, string>? _settings;

    private FleetDevice(EnrollmentResponse enrolled, DeviceEngine engine, string data, IReadOnlyDictionary<string, string>? settings)
    {
        _enrolled = enrolled;
        _settings = settings;
        Id = enrolled.DeviceId;
        Engine = engine;
        Data = data;
        Agent = NativeAgent.StartEnrolled(data, enrolled, engine.Uri, settings);
    }

    public string Id { get; }

    public DeviceEngine Engine { get; }

    public string Data { get; }

    public ExternalProcess Agent { get; private set; }

    public static Task<FleetDevice> EnrollAndStartAsync(
        RunningController controller, string id, DeviceEngine engine, params (string Key, string Value)[] labels) =>
        EnrollAndStartAsync(controller, id, engine, null, labels);

    /// <param name="settings">FLEET_AGENT__ settings (without the prefix) over NativeAgent's, for every start of the agent.</param>
    public static async Task<FleetDevice> EnrollAndStartAsync(
        RunningController controller, string id, DeviceEngine engine, IReadOnlyDictionary<string, string>? settings, params (string Key, string Value)[] labels)
    {
        var enrolled = await controller.EnrollAsync(id, labels);
        var data = Directory.CreateTempSubdirectory("fleet-e2e-agent-").FullName;
        return new FleetDevice(enrolled, engine, data, settings);
    }

    /// <summary>Starts the agent again on the same data directory after it exited; its earlier output is kept in <see cref="EarlierOutput"/>.</summary>
    public async Task RestartAgentAsync()
    {
        Assert.True(Agent.HasExited, $"the agent of {Id} still runs");
        EarlierOutput += Agent.Output;
        await Agent.DisposeAsync();
        Agent = NativeAgent.StartEnrolled(Data, _enrolled, Engine.Uri, _settings);
    }

    /// <summary>The output of the agent's earlier runs on this device (see <see cref="RestartAgentAsync"/>).</summary>
    public string EarlierOutput { get; private set; } = "";

    /// <summary>The images of the running containers of compose project <paramref name="project"/>, sorted.</summary>
    public IReadOnlyList<string> RunningImages(string project)
    {
        var (code, output) = Engine.Docker(
            TimeSpan.FromSeconds(30),
            "ps", "--filter", "label=com.docker.compose.project=" + project, "--format", "{{.Image}}");
        Assert.True(code == 0, output);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)];
    }

    public async ValueTask DisposeAsync()
    {
        // The agent first: it would put the stack back while the engine takes it down.
        if (!Agent.HasExited)
        {
            await Agent.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30));
        }

        await Agent.DisposeAsync();
        await Engine.DisposeAsync();
        Directory.Delete(Data, recursive: true);
    }
}
