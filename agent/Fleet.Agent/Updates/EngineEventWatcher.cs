using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Labels;

namespace Fleet.Agent.Updates;

/// <summary>
/// Wakes the reconcile loop when a compose-labelled container dies, stops or is removed, so that
/// a container killed or removed by hand is put back within seconds instead of at the next
/// periodic reconcile.
/// </summary>
public static class EngineEventWatcher
{
    public static Task WatchAsync(IDockerClient client, Action onChange, CancellationToken cancellationToken) =>
        client.System.MonitorEventsAsync(
            new ContainerEventsParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["label"] = new Dictionary<string, bool> { [ComposeLabels.Project] = true },
                    ["event"] = new Dictionary<string, bool> { ["die"] = true, ["stop"] = true, ["destroy"] = true, ["kill"] = true },
                },
            },
            new Progress(onChange),
            cancellationToken);

    private sealed class Progress(Action onChange) : IProgress<Message>
    {
        public void Report(Message value) => onChange();
    }
}
