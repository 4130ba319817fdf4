using Fleet.Controller.Rollouts;
using Fleet.Protocol.Messages;

namespace Fleet.Controller.Tests.Rollouts;

/// <summary>Records assignments instead of signing and publishing them; versions count up from 100.</summary>
public sealed class FakeDesiredStatePublisher : IDesiredStatePublisher
{
    private readonly Dictionary<(string Device, string Stack), int?> _assigned = [];
    private readonly List<Assignment> _published = [];
    private readonly Dictionary<string, long> _lastVersion = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _version = 100;

    public sealed record Assignment(string Device, string Stack, int? StackVersion, RolloutRef? Rollout, TimeSpan? HealthWindow, long Version);

    /// <summary>When set, publishes go through but answer this exception, as a publish lost to a crash would.</summary>
    public Exception? FailAfterPublishing { get; set; }

    /// <summary>When set, publishes fail before anything is published.</summary>
    public Exception? FailBeforePublishing { get; set; }

    /// <summary>Called as each publish starts, before it looks at its cancellation token.</summary>
    public Action? OnPublish { get; set; }

    public IReadOnlyList<Assignment> Published
    {
        get
        {
            lock (_gate)
            {
                return _published.ToList();
            }
        }
    }

    public Task<long> AssignAsync(string deviceId, string stack, int? stackVersion, RolloutRef? rollout, TimeSpan? healthWindow, CancellationToken cancellationToken)
    {
        OnPublish?.Invoke();
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (FailBeforePublishing is { } before)
            {
                return Task.FromException<long>(before);
            }

            var version = ++_version;
            _assigned[(deviceId, stack)] = stackVersion;
            _lastVersion[deviceId] = version;
            _published.Add(new Assignment(deviceId, stack, stackVersion, rollout, healthWindow, version));
            return FailAfterPublishing is { } after ? Task.FromException<long>(after) : Task.FromResult(version);
        }
    }

    public int? AssignedVersion(string deviceId, string stack)
    {
        lock (_gate)
        {
            return _assigned.GetValueOrDefault((deviceId, stack));
        }
    }

    /// <summary>As if the device's desired state already held the stack before any rollout.</summary>
    public void Preassign(string deviceId, string stack, int version)
    {
        lock (_gate)
        {
            _assigned[(deviceId, stack)] = version;
        }
    }

    /// <summary>The desired-state version last published to the device.</summary>
    public long LastVersion(string deviceId)
    {
        lock (_gate)
        {
            return _lastVersion[deviceId];
        }
    }
}
