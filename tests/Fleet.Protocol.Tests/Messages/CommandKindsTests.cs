using Fleet.Protocol.Messages;

namespace Fleet.Protocol.Tests.Messages;

public class CommandKindsTests
{
    public static TheoryData<DeviceCommand, string?> Commands => new()
    {
        { new DeviceCommand { Id = "1", Kind = "report" }, null },
        { new DeviceCommand { Id = "1", Kind = "reconcile" }, null },
        { new DeviceCommand { Id = "1", Kind = "logs", Args = new CommandArgs { Stack = "s", Service = "a", Tail = 10 } }, null },
        { new DeviceCommand { Id = "1", Kind = "restart", Args = new CommandArgs { Stack = "s", Service = "a" } }, null },
        { new DeviceCommand { Id = "1", Kind = "logs" }, CommandKinds.MissingArgumentCode },
        { new DeviceCommand { Id = "1", Kind = "restart", Args = new CommandArgs { Stack = "s" } }, CommandKinds.MissingArgumentCode },
        { new DeviceCommand { Id = "1", Kind = "logs", Args = new CommandArgs { Stack = "s", Service = "a", Tail = -1 } }, CommandKinds.MalformedCommandCode },
        { new DeviceCommand { Id = "1", Kind = "resend-events", Args = new CommandArgs { AfterSeq = 0 } }, null },
        { new DeviceCommand { Id = "1", Kind = "resend-events", Args = new CommandArgs { AfterSeq = 4, ThroughSeq = 9 } }, null },
        { new DeviceCommand { Id = "1", Kind = "resend-events" }, CommandKinds.MissingArgumentCode },
        { new DeviceCommand { Id = "1", Kind = "resend-events", Args = new CommandArgs { ThroughSeq = 9 } }, CommandKinds.MissingArgumentCode },
        { new DeviceCommand { Id = "1", Kind = "resend-events", Args = new CommandArgs { AfterSeq = 9, ThroughSeq = 9 } }, CommandKinds.MalformedCommandCode },
        { new DeviceCommand { Id = "1", Kind = "resend-events", Args = new CommandArgs { AfterSeq = -1 } }, CommandKinds.MalformedCommandCode },
        { new DeviceCommand { Id = "1", Kind = "reboot" }, CommandKinds.UnknownCommandCode },
        { new DeviceCommand { Id = "1", Kind = "Logs" }, CommandKinds.UnknownCommandCode },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Validate_ReturnsTheErrorCodeToReplyWith(DeviceCommand command, string? expectedCode) =>
        Assert.Equal(expectedCode, CommandKinds.Validate(command)?.Code);
}
