using Fleet.Agent.Hosting;
using Fleet.Agent.Updates;
using Fleet.Protocol.Messages;

namespace Fleet.Agent.Tests.Hosting;

public sealed class WorkingSetTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ReadOnlyFileMappings_TakesOnlyMappingsBackedByAFileThatAreNotWritable()
    {
        string[] maps =
        [
            "55d0c0000000-55d0c0200000 r--p 00000000 08:01 1234567                    /usr/local/bin/fleet-agent",
            "55d0c0200000-55d0c0a00000 r-xp 00200000 08:01 1234567                    /usr/local/bin/fleet-agent",
            "55d0c0a00000-55d0c0b00000 rw-p 00a00000 08:01 1234567                    /usr/local/bin/fleet-agent",
            "55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0                          [heap]",
            "7f0000000000-7f0000100000 r--p 00000000 00:00 0 ",
            "7ffd0c000000-7ffd0c021000 rw-p 00000000 00:00 0                          [stack]",
            "7ffd0c1f0000-7ffd0c1f2000 r-xp 00000000 00:00 0                          [vdso]",
            "7f1c2a000000-7f1c2a010000 r-xp 00000000 08:01 42                         /usr/lib/x86_64-linux-gnu/libc.so.6",
            "not a mapping line",
        ];

        var mappings = WorkingSet.ReadOnlyFileMappings(maps).ToList();

        Assert.Equal(
            [(0x55d0c0000000L, 0x200000L), (0x55d0c0200000L, 0x800000L), (0x7f1c2a000000L, 0x10000L)],
            mappings);
    }

    [Fact]
    public void ReadOnlyFileMappings_OfThisProcess_IncludesTheCodeOfALoadedLibrary()
    {
        var maps = File.ReadAllLines("/proc/self/maps");
        var executable = maps.First(l => l.Contains(" r-xp ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(".so", StringComparison.Ordinal));
        var start = Convert.ToInt64(executable[..executable.IndexOf('-', StringComparison.Ordinal)], 16);

        Assert.Contains(WorkingSet.ReadOnlyFileMappings(maps), m => m.Start == start);
    }

    [Theory]
    [InlineData(DeploymentPhases.Downloading)]
    [InlineData(DeploymentPhases.Applying)]
    [InlineData(DeploymentPhases.Verifying)]
    [InlineData(DeploymentPhases.RollingBack)]
    public void TrimAfter_AnUpdateInProgress_DoesNothing(string phase)
    {
        Assert.False(new WorkingSet(TimeSpan.Zero).TrimAfter(new DeviceState { Phase = phase, PhaseVersion = 3 }, Now));
    }

    [Fact]
    public void TrimAfter_AnEndedUpdate_TrimsOnceForIt_AgainForTheNextOne_AndEveryIntervalWhileIdle()
    {
        var workingSet = new WorkingSet(TimeSpan.FromMinutes(5));
        var committed = new DeviceState { Phase = DeploymentPhases.Committed, PhaseVersion = 3 };

        Assert.True(workingSet.TrimAfter(committed, Now));
        Assert.False(workingSet.TrimAfter(committed, Now.AddMinutes(4)));
        Assert.True(workingSet.TrimAfter(committed with { PhaseVersion = 4 }, Now.AddMinutes(4)));
        Assert.True(workingSet.TrimAfter(committed with { Phase = DeploymentPhases.RolledBack, PhaseVersion = 4 }, Now.AddMinutes(4)));
        Assert.False(workingSet.TrimAfter(committed with { Phase = DeploymentPhases.RolledBack, PhaseVersion = 4 }, Now.AddMinutes(8)));
        Assert.True(workingSet.TrimAfter(committed with { Phase = DeploymentPhases.RolledBack, PhaseVersion = 4 }, Now.AddMinutes(9)));
    }
}
