using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>One simulated device of the end-to-end tests: enrolled with the controller, its own dockerd, the real native agent.</summary>
internal sealed class FleetDevice : IAsyncDisposable
{
    private FleetDevice(string id, DeviceEngine engine, string data, ExternalProcess agent)
    {
        Id = id;
        Engine = engine;
        Data = data;
        Agent = agent;
    }

    public string Id { get; }

    public DeviceEngine Engine { get; }

    public string Data { get; }

    public ExternalProcess Agent { get; private set; }

    public static async Task<FleetDevice> EnrollAndStartAsync(
        RunningController controller, string id, DeviceEngine engine, params (string Key, string Value)[] labels)
    {
        var enrolled = await controller.EnrollAsync(id, labels);
        var data = Directory.CreateTempSubdirectory("fleet-e2e-agent-").FullName;
        return new FleetDevice(id, engine, data, NativeAgent.StartEnrolled(data, enrolled, engine.Uri));
    }

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
