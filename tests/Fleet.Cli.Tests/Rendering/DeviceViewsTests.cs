using Fleet.Cli.Hosting;
using Fleet.Cli.Output;
using Fleet.Cli.Rendering;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;

namespace Fleet.Cli.Tests.Rendering;

public sealed class DeviceViewsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public void List_InAPipe_IsPlainColumnsWithinEightyCharacters()
    {
        var devices = new[]
        {
            Device("cabinet-17", online: true, lastSeen: Now.AddSeconds(-12)),
            Device("cabinet-18-with-a-rather-long-device-name", online: false, lastSeen: Now.AddHours(-3)) with
            {
                Labels = new Dictionary<string, string> { ["site"] = "berlin", ["tier"] = "canary", ["hardware"] = "raspberry-pi-4" },
                Phase = DeploymentPhases.Failed,
            },
        };

        var screen = Screen.Render(DeviceViews.List(devices, Now, Output()));

        Assert.All(screen, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.DoesNotContain(screen, line => line.Contains('│', StringComparison.Ordinal) || line.Contains('─', StringComparison.Ordinal));
        Assert.Matches(@"^\s*DEVICE\s+LABELS\s+ONLINE\s+STACKS\s+PHASE\s+LAST SEEN$", screen[0]);
        Assert.Matches(@"^\s*cabinet-17\s+site=berlin\s+yes\s+web:3\s+committed\s+12s ago$", screen[1]);
        Assert.Contains(screen, line => line.Contains("3h ago", StringComparison.Ordinal) && line.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public void Detail_ShowsStatusServicesLastErrorAndEvents()
    {
        var detail = new DeviceDetail
        {
            Device = Device("cabinet-17", online: true, lastSeen: Now.AddSeconds(-5)),
            Status = new DeviceStatus
            {
                DeviceId = "cabinet-17",
                AgentVersion = "0.1.0",
                Seq = 4,
                ReportedAt = Now,
                Phase = DeploymentPhases.RolledBack,
                LastError = new ErrorDetail { Code = "unhealthy", Message = "web exited 1 during the health window", Stack = "web", Service = "api" },
                Stacks =
                [
                    new StackStatus
                    {
                        Name = "web",
                        Services = [new ServiceStatus { Name = "api", Containers = [new ContainerStatus { Id = "c1", Image = "registry/api:1.2", State = "running", Health = "healthy", RestartCount = 2 }] }],
                    },
                ],
            },
            Events = [new DeviceEvent { Seq = 9, Time = Now.AddMinutes(-2), Version = 12, Kind = "rolled-back", Stack = "web", Service = "api", Detail = "back to version 11" }],
        };

        var text = string.Join('\n', Screen.Render(DeviceViews.Detail(detail, Now, Output())));

        Assert.Contains("device     cabinet-17", text, StringComparison.Ordinal);
        Assert.Contains("last error unhealthy: web exited 1 during the health window (web/api)", text, StringComparison.Ordinal);
        Assert.Matches(@"web\s+api\s+running\s+healthy\s+2\s+registry/api:1.2", text);
        Assert.Matches(@"2m ago\s+12\s+rolled-back\s+web/api: back to version 11", text);
    }

    private static CliOutput Output() => new(
        new CliEnvironment { Out = TextWriter.Null, Error = TextWriter.Null, OutIsTerminal = false, Variable = _ => null },
        json: false,
        noColor: true);

    private static DeviceSummary Device(string id, bool online, DateTimeOffset lastSeen) => new()
    {
        Id = id,
        Labels = new Dictionary<string, string> { ["site"] = "berlin" },
        Online = online,
        EnrolledAt = Now.AddDays(-30),
        LastSeen = lastSeen,
        Phase = DeploymentPhases.Committed,
        Stacks = [new StackRef { Name = "web", Version = 3, Digest = "sha256:abc" }],
    };
}
