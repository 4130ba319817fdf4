using System.Collections.Immutable;
using Fleet.Compose.Model;
using Fleet.Reconcile.Observed;

namespace Fleet.Reconcile.Tests.Planning;

/// <summary>Small desired stacks and observed states, written out in full so each test shows its inputs.</summary>
internal static class Stacks
{
    public const string Project = "demo";

    public static ServiceConfig Service(string name, string hash = "h1", string image = "app:1", int replicas = 1) => new()
    {
        Name = name,
        Image = image,
        ConfigHash = hash,
        Replicas = replicas,
        Networks = ComposeCollections.ToMap([KeyValuePair.Create("default", new ServiceNetwork())]),
    };

    public static ServiceConfig DependsOn(this ServiceConfig service, string other, string condition = "service_started", bool restart = false) => service with
    {
        DependsOn = service.DependsOn.Add(other, new ServiceDependency { Condition = condition, Restart = restart }),
    };

    public static ComposeProject Stack(params ServiceConfig[] services) => new()
    {
        Name = Project,
        Services = ComposeCollections.ToMap(services.Select(s => KeyValuePair.Create(s.Name, s))),
        Networks = ComposeCollections.ToMap([KeyValuePair.Create("default", new NetworkConfig { Name = $"{Project}_default" })]),
    };

    public static ObservedContainer Running(string service, int number = 1, string hash = "h1", string imageId = "sha256:app1") =>
        new($"{service}{number}".PadRight(64, '0'), $"{Project}-{service}-{number}", service, number, ContainerState.Running, null, 0, hash, true, "app:1", imageId);

    public static ObservedContainer Stopped(string service, int number = 1, string hash = "h1") =>
        Running(service, number, hash) with { State = ContainerState.Exited, ExitCode = 137 };

    public static ObservedNetwork Drifted(string key, string drift) => Same(key) with { Drift = drift };

    public static ObservedNetwork Same(string key) => new($"{Project}_{key}", $"net-{key}", Project);

    public static ImmutableDictionary<string, ObservedNetwork> Networks(params ObservedNetwork[] networks) =>
        networks.ToImmutableDictionary(n => n.Name, StringComparer.Ordinal);

    /// <summary>The engine with the project's network, the given containers, and app:1 (sha256:app1) present.</summary>
    public static ObservedProject Engine(params ObservedContainer[] containers) => new(
        Project,
        [.. containers],
        [$"{Project}_default"],
        [],
        ImmutableDictionary<string, string>.Empty.Add("app:1", "sha256:app1"));
}
