using Fleet.Controller.Rollouts;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Selectors;

namespace Fleet.Controller.Tests.Rollouts;

/// <summary>An in-memory fleet whose devices the test moves through their phases.</summary>
public sealed class FakeFleetView : IFleetView
{
    private static readonly DateTimeOffset Enrolled = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<string, DeviceView> _devices = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public event Action<string>? DeviceChanged;

    public IReadOnlyList<DeviceView> Devices(LabelSelector selector)
    {
        lock (_gate)
        {
            return _devices.Values.Where(d => selector.Matches(d.Labels)).ToList();
        }
    }

    /// <summary>When set, every lookup of one device throws it, as a broken store would.</summary>
    public Exception? FailLookups { get; set; }

    public int FailedLookups { get; private set; }

    public DeviceView? Device(string id)
    {
        lock (_gate)
        {
            if (FailLookups is { } failure)
            {
                FailedLookups++;
                throw failure;
            }

            return _devices.GetValueOrDefault(id);
        }
    }

    public void Add(string id, bool online = true, params (string Key, string Value)[] labels) =>
        Set(new DeviceView(id, labels.ToDictionary(l => l.Key, l => l.Value), online, Enrolled, null, null, null, null, null));

    public void AddMany(int count, string prefix = "dev-", bool raiseChanged = true)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"{prefix}{i:D5}";
            Set(new DeviceView(id, new Dictionary<string, string>(), true, Enrolled, null, null, null, null, null), raiseChanged);
        }
    }

    /// <summary>The device reports <paramref name="phase"/> for desired-state <paramref name="version"/>; committed also applies it.</summary>
    public void Report(string id, string phase, long version)
    {
        var device = Peek(id) ?? throw new InvalidOperationException($"no device {id}");
        Set(device with
        {
            Phase = phase,
            DesiredVersion = version,
            AppliedVersion = phase == DeploymentPhases.Committed ? version : device.AppliedVersion,
        });
    }

    public void SetOnline(string id, bool online) => Set(Peek(id)! with { Online = online });

    public void Set(DeviceView device, bool raiseChanged = true)
    {
        ArgumentNullException.ThrowIfNull(device);
        lock (_gate)
        {
            _devices[device.Id] = device;
        }

        if (raiseChanged)
        {
            DeviceChanged?.Invoke(device.Id);
        }
    }

    private DeviceView? Peek(string id)
    {
        lock (_gate)
        {
            return _devices.GetValueOrDefault(id);
        }
    }
}
