using System.Collections.Immutable;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Containers;
using Fleet.Agent.Docker.Engine;
using Fleet.Agent.Docker.Execute;
using Fleet.Compose.Model;
using ServiceConfig = Fleet.Compose.Model.ServiceConfig;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>
/// A compose project with a unique name on the real engine, applied through Fleet's engine with short
/// waits; everything the project created is taken down when the test ends.
/// </summary>
public sealed class TestProject : IAsyncDisposable
{
    private bool _disposed;

    private TestProject(EngineConnection engine, string name)
    {
        Engine = engine;
        Name = name;
    }

    public EngineConnection Engine { get; }

    public string Name { get; }

    public List<StepOutcome> Completed { get; } = [];

    public List<Fleet.Agent.Docker.Images.PullProgress> Progress { get; } = [];

    public EngineOptions Options => new()
    {
        HealthTimeout = TimeSpan.FromSeconds(20),
        CompletionTimeout = TimeSpan.FromSeconds(20),
        StopTimeout = TimeSpan.FromSeconds(1),
        PollInterval = TimeSpan.FromMilliseconds(100),
        StepCompleted = o => { lock (Completed) { Completed.Add(o); } },
        PullProgress = p => { lock (Progress) { Progress.Add(p); } },
    };

    /// <summary>Test projects are named with these prefixes; what a crashed run left of them is swept away.</summary>
    private static readonly string[] Prefixes = ["fleet-it", "fleetpar"];

    private static readonly Lazy<Task> Sweep = new(SweepLeftoversAsync);

    public static async Task<TestProject> CreateAsync(string prefix = "fleet-it")
    {
        await Sweep.Value;
        var engine = await DockerEngine.ConnectAsync(null, CancellationToken.None);
        return new TestProject(engine, $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 40)]);
    }

    public ComposeEngine ComposeEngine(EngineOptions? options = null) => new(Engine.Client, options ?? Options, TimeProvider.System);

    public Task<ApplyResult> ApplyAsync(ComposeProject project, EngineOptions? options = null)
    {
        lock (Completed)
        {
            Completed.Clear();
        }

        return ComposeEngine(options).ApplyAsync(project, ProjectContext.None, CancellationToken.None);
    }

    /// <summary>A service on busybox that sleeps, labelled as test-made, with a config hash tests bump to mean "changed".</summary>
    public static ServiceConfig Service(string name, string hash = "v1", string image = TestImages.Busybox, int replicas = 1) => new()
    {
        Name = name,
        Image = image,
        ConfigHash = hash,
        Replicas = replicas,
        Networks = ComposeCollections.ToMap([KeyValuePair.Create("default", new ServiceNetwork())]),
        Labels = ComposeCollections.ToMap([KeyValuePair.Create(TestImages.TestLabel, "1")]),
        StopGracePeriod = TimeSpan.FromSeconds(1),
    };

    public ComposeProject Project(params ServiceConfig[] services) => new()
    {
        Name = Name,
        Services = ComposeCollections.ToMap(services.Select(s => KeyValuePair.Create(s.Name, s))),
        Networks = ComposeCollections.ToMap([KeyValuePair.Create("default", new NetworkConfig { Name = $"{Name}_default" })]),
    };

    public async Task<ContainerInspectResponse> InspectAsync(string containerName) =>
        await Engine.Client.Containers.InspectContainerAsync(containerName);

    public async Task<IList<ContainerListResponse>> ContainersAsync() =>
        await Engine.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = Fleet.Agent.Docker.Labels.ComposeLabels.Filter(Name),
        });

    /// <summary>
    /// Takes down test projects whose containers (labelled as test-made) are older than 15 minutes: a run
    /// that crashed before its cleanup. Younger ones may belong to a test running right now.
    /// </summary>
    private static async Task SweepLeftoversAsync()
    {
        using var engine = await DockerEngine.ConnectAsync(null, CancellationToken.None);
        var containers = await engine.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [TestImages.TestLabel] = true } },
        });
        var stale = containers
            .Where(c => c.Created < DateTime.UtcNow.AddMinutes(-15))
            .Select(c => c.Labels.TryGetValue("com.docker.compose.project", out var project) ? project : null)
            .Where(p => p is not null && Prefixes.Any(prefix => p.StartsWith(prefix, StringComparison.Ordinal)))
            .Distinct();
        var compose = new ComposeEngine(engine.Client, new EngineOptions { StopTimeout = TimeSpan.Zero }, TimeProvider.System);
        foreach (var project in stale)
        {
            await compose.DownAsync(project!, removeVolumes: true, CancellationToken.None);
        }
    }

    /// <summary>Takes the project down; safe to call again (a test may take it down early).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await ComposeEngine().DownAsync(Name, removeVolumes: true, CancellationToken.None);
        Engine.Dispose();
    }
}
