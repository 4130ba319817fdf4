using System.Globalization;

namespace Fleet.Agent.Updates;

/// <summary>
/// Judges a release from one look at its containers, <c>elapsed</c> into its health window. Pure: the
/// caller looks at the engine as often as it likes and stops at the first verdict that is not pending.
/// </summary>
/// <remarks>
/// Every service is watched until the longest window of the release ends. A hard failure fails it at
/// once, whenever it happens: a container missing, exited (a one-off: exited non-zero), restarting,
/// restarted since the window began, unhealthy, paused or never started. A service's own window is
/// how long it may take to get ready: a healthcheck still starting, or a one-off still running, is
/// pending until then and a failure after.
/// </remarks>
public static class HealthVerifier
{
    public const string CrashLooping = "crash-looping";
    public const string Exited = "exited";
    public const string Unhealthy = "unhealthy";
    public const string NotReady = "not-ready";
    public const string Missing = "missing";

    /// <param name="baselines">Restart count of each container (by id) when the window began; a container not in it counts from 0.</param>
    public static HealthVerdict Evaluate(
        IReadOnlyList<ServiceExpectation> expected,
        IReadOnlyList<ContainerHealth> observed,
        IReadOnlyDictionary<string, long> baselines,
        TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(baselines);
        var pending = false;
        foreach (var service in expected.OrderBy(s => s.Stack, StringComparer.Ordinal).ThenBy(s => s.Service, StringComparer.Ordinal))
        {
            var containers = observed.Where(c => c.Stack == service.Stack && c.Service == service.Service).ToList();
            var windowOver = elapsed >= service.Window;
            if (containers.Count < service.Replicas)
            {
                return Fail(Missing, service, string.Create(CultureInfo.InvariantCulture, $"has {containers.Count} of {service.Replicas} container(s)"));
            }

            foreach (var container in containers)
            {
                var verdict = Judge(service, container, baselines.GetValueOrDefault(container.Id), windowOver);
                if (verdict.Outcome == HealthOutcome.Failed)
                {
                    return verdict;
                }

                pending |= verdict.Outcome == HealthOutcome.Pending;
            }
        }

        var longest = expected.Count == 0 ? TimeSpan.Zero : expected.Max(s => s.Window);
        return pending || elapsed < longest ? HealthVerdict.Pending : HealthVerdict.Passed;
    }

    /// <summary>Failed, or pending while not ready yet, or passed for this container as of now.</summary>
    private static HealthVerdict Judge(ServiceExpectation service, ContainerHealth container, long baseline, bool windowOver)
    {
        var restarts = container.RestartCount - baseline;
        if (restarts > 0 || container.State == "restarting")
        {
            return Fail(CrashLooping, service, string.Create(CultureInfo.InvariantCulture,
                $"restarted {Math.Max(restarts, 1)} time(s) during the health window (last exit code {container.ExitCode})"));
        }

        if (container.State is "exited" or "dead")
        {
            if (service.IsOneOff && container.ExitCode == 0)
            {
                return HealthVerdict.Passed;
            }

            return Fail(Exited, service, string.Create(CultureInfo.InvariantCulture, $"exited with code {container.ExitCode}"));
        }

        if (container.State != "running")
        {
            return Fail(Exited, service, $"is {container.State}, not running");
        }

        if (container.Health == "unhealthy")
        {
            return Fail(Unhealthy, service, "is unhealthy (its healthcheck fails)");
        }

        var ready = container.Health is null or "healthy" && !service.IsOneOff;
        if (ready)
        {
            return HealthVerdict.Passed;
        }

        if (!windowOver)
        {
            return HealthVerdict.Pending;
        }

        return service.IsOneOff
            ? Fail(NotReady, service, $"has not completed within its health window of {Seconds(service.Window)}")
            : Fail(NotReady, service, $"is not healthy within its health window of {Seconds(service.Window)} (health: {container.Health})");
    }

    private static HealthVerdict Fail(string code, ServiceExpectation service, string reason) =>
        HealthVerdict.Failed(code, service.Stack, service.Service, $"{service.Stack}/{service.Service} {reason}");

    private static string Seconds(TimeSpan window) => string.Create(CultureInfo.InvariantCulture, $"{window.TotalSeconds:0.###} s");
}
