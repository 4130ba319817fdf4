using Fleet.Agent.Storage;
using Fleet.Agent.Updates;
using Fleet.Compose.Model;
using Fleet.Protocol.Messages;

namespace Fleet.Agent.Tests.Updates;

public sealed class UpdateLocksTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Held_NamesTheHolderFromTheFirstLine_AndALeaseFromTheFilesLastWrite()
    {
        using var dir = new TempDirectory();
        var locks = new UpdateLocks(dir.Path, TimeSpan.FromMinutes(10));
        WriteLock(dir.Path, "web", "api", "batch-job\nmore the agent ignores\n", Now.AddMinutes(-3));

        var held = Assert.Single(locks.Held(["web"], Now));

        Assert.Equal(("web", "api", "batch-job"), (held.Stack, held.Service, held.Holder));
        Assert.Equal((Now.AddMinutes(-3), Now.AddMinutes(7)), (held.AcquiredAt, held.ExpiresAt));
    }

    [Fact]
    public void Held_IgnoresALockWhoseLeaseEnded_AndLocksOfOtherStacks()
    {
        using var dir = new TempDirectory();
        var locks = new UpdateLocks(dir.Path, TimeSpan.FromMinutes(10));
        WriteLock(dir.Path, "web", "crashed", "old-holder", Now.AddMinutes(-11));
        WriteLock(dir.Path, "other", "api", "someone", Now);
        Directory.CreateDirectory(Path.Combine(dir.Path, "web", "no-lock-file"));

        Assert.Empty(locks.Held(["web", "not-there"], Now));
        Assert.Equal("someone", Assert.Single(locks.Held(["other"], Now)).Holder);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("  \n", null)]
    [InlineData(" job 7 \r\nrest", "job 7")]
    public void HolderOf_IsTheFirstLineTrimmed_OrNoneWhenEmpty(string text, string? holder)
    {
        Assert.Equal(holder, UpdateLocks.HolderOf(text));
    }

    [Fact]
    public void Mount_GivesEveryServiceItsOwnLockDirectory_AndTheVariablesNamingIt_WithoutChangingItsConfigHash()
    {
        using var dir = new TempDirectory();
        var project = new ComposeProject
        {
            Name = "web",
            Services = ComposeCollections.ToMap([
                KeyValuePair.Create("api", new ServiceConfig { Name = "api", Image = "api:1", ConfigHash = "h1" }),
                KeyValuePair.Create("db", new ServiceConfig { Name = "db", Image = "db:1", ConfigHash = "h2" }),
            ]),
        };

        var mounted = new UpdateLocks(dir.Path, TimeSpan.FromMinutes(1)).Mount(project);

        var api = mounted.Services["api"];
        var volume = Assert.Single(api.Volumes);
        Assert.Equal(("bind", Path.Combine(dir.Path, "web", "api"), "/tmp/fleet"), (volume.Type, volume.Source, volume.Target));
        Assert.Equal("/tmp/fleet/updates.lock", api.Environment["FLEET_LOCK_FILE"]);
        Assert.Equal("/tmp/fleet", api.Environment["FLEET_LOCK_DIR"]);
        Assert.Equal("h1", api.ConfigHash);
        Assert.Equal(Path.Combine(dir.Path, "web", "db"), Assert.Single(mounted.Services["db"].Volumes).Source);
        Assert.True(Directory.Exists(Path.Combine(dir.Path, "web", "db")));
    }

    [Fact]
    public void StacksChanged_AreTheChangedAddedAndRemovedStacks_NotTheOnesLeftAlone()
    {
        var committed = new Release
        {
            Version = 1,
            CommittedAt = Now,
            Stacks =
            [
                Stack("same", "a", ("X", "1")),
                Stack("compose", "a"),
                Stack("variables", "a", ("X", "1")),
                Stack("removed", "a"),
            ],
        };
        var desired = new DesiredState
        {
            Version = 2,
            IssuedAt = Now,
            Stacks =
            [
                Spec("same", "a", ("X", "1")),
                Spec("compose", "b"),
                Spec("variables", "a", ("X", "2")),
                Spec("added", "a"),
            ],
        };

        Assert.Equal(["added", "compose", "removed", "variables"], UpdateLocks.StacksChanged(committed, desired));
        Assert.Equal(["added", "compose", "same", "variables"], UpdateLocks.StacksChanged(null, desired));
    }

    private static StackRelease Stack(string name, string compose, params (string, string)[] variables) => new()
    {
        Name = name, Digest = "sha256:0", Compose = compose, Variables = variables.ToDictionary(v => v.Item1, v => v.Item2),
    };

    private static StackSpec Spec(string name, string compose, params (string, string)[] variables) => new()
    {
        Name = name, Digest = "sha256:other", Compose = compose, Variables = variables.ToDictionary(v => v.Item1, v => v.Item2),
    };

    private static void WriteLock(string root, string stack, string service, string text, DateTimeOffset written)
    {
        var directory = Path.Combine(root, stack, service);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, UpdateLocks.FileName);
        File.WriteAllText(file, text);
        File.SetLastWriteTimeUtc(file, written.UtcDateTime);
    }
}
