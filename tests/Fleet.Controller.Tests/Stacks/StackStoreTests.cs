using Fleet.Controller.Stacks;
using Fleet.Protocol.Api;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Stacks;

public sealed class StackStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Push_DifferentContent_MakesVersionsOneTwo_AndTheSameContentAgainMakesNone()
    {
        var stacks = new StackStore(_temp.Database, _time);

        var first = stacks.Push("web", Push("services:\n  web:\n    image: nginx:1\n")).Value;
        var second = stacks.Push("web", Push("services:\n  web:\n    image: nginx:2\n")).Value;
        var again = stacks.Push("web", Push("services:\n  web:\n    image: nginx:2\n")).Value;

        Assert.Equal((1, true), (first.Version.Version, first.Created));
        Assert.Equal((2, true), (second.Version.Version, second.Created));
        Assert.Equal((2, false), (again.Version.Version, again.Created));
        Assert.NotEqual(first.Version.Digest, second.Version.Digest);
        Assert.Equal([1, 2], stacks.Versions("web").Select(v => v.Version));
        Assert.Equal(2, stacks.List().Single().LatestVersion);
    }

    [Fact]
    public void Push_InvalidCompose_AnswersTheLoadersFirstErrorWithFileAndLine()
    {
        var stacks = new StackStore(_temp.Database, _time);

        var refused = stacks.Push("web", Push("services:\n  web:\n    image: nginx\n    ports: [\"abc\"]\n"));

        Assert.Equal(422, refused.Failure!.Status);
        Assert.Equal("invalid-compose", refused.Failure.Code);
        Assert.StartsWith("compose.yaml:4:", refused.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(stacks.Versions("web"));
    }

    [Fact]
    public void Push_TwoFiles_MergesThem_AndDevicesGetTheCanonicalForm()
    {
        var stacks = new StackStore(_temp.Database, _time);
        var request = new StackPushRequest
        {
            Files =
            [
                new StackFile { Name = "compose.yaml", Content = "services:\n  web:\n    image: nginx:${TAG}\n" },
                new StackFile { Name = "compose.prod.yaml", Content = "services:\n  api:\n    image: api:1\n" },
            ],
            EnvFile = new StackFile { Name = ".env", Content = "TAG=1.25\n" },
        };

        var version = stacks.Push("web", request).Value.Version;

        Assert.Equal(["api", "web"], version.Services);
        Assert.Contains("nginx:1.25", version.DeviceCompose, StringComparison.Ordinal);
        Assert.Equal(version.Canonical, version.DeviceCompose);
    }

    [Fact]
    public void Push_OneFile_GoesToDevicesAsWritten_SoTheyInterpolateTheirOwnVariables()
    {
        var stacks = new StackStore(_temp.Database, _time);
        const string Compose = "services:\n  web:\n    image: nginx\n    environment:\n      DEVICE: ${FLEET_DEVICE_ID:-none}\n";

        var version = stacks.Push("web", Push(Compose)).Value.Version;

        Assert.Equal(Compose, version.DeviceCompose);
    }

    [Theory]
    [InlineData("Web", "name: stack name 'Web' is not a compose project name ([a-z0-9][a-z0-9_-]*)")]
    [InlineData("", "name: stack name must be 1 to 63 characters")]
    public void Push_BadName_SaysSo(string name, string message)
    {
        var stacks = new StackStore(_temp.Database, _time);

        Assert.Equal(message, stacks.Push(name, Push("services:\n  web:\n    image: nginx\n")).Failure!.Message);
    }

    [Fact]
    public void Get_LatestAndNumbered_SurviveReopen()
    {
        var stacks = new StackStore(_temp.Database, _time);
        stacks.Push("web", Push("services:\n  web:\n    image: nginx:1\n"));
        stacks.Push("web", Push("services:\n  web:\n    image: nginx:2\n"));

        var reopened = new StackStore(_temp.Reopen(), _time);

        Assert.Equal(2, reopened.Get("web", null)!.Version);
        Assert.Contains("nginx:1", reopened.Get("web", 1)!.Canonical, StringComparison.Ordinal);
        Assert.Null(reopened.Get("web", 3));
        Assert.Null(reopened.Get("db", null));
    }

    private static StackPushRequest Push(string compose) => new() { Files = [new StackFile { Name = "compose.yaml", Content = compose }] };
}
