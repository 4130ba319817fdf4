using Fleet.Agent.Storage;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Storage;

public sealed class ReleaseStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void UpdateInVerifying_ComesBackAfterReopening_WithItsWindowStartAndBaselines()
    {
        using var dir = new TempDirectory();
        var saved = new UpdateRecord
        {
            Version = 7,
            Phase = DeploymentPhases.Verifying,
            Since = _time.GetUtcNow(),
            VerifyStartedAt = _time.GetUtcNow(),
            RestartBaselines = new Dictionary<string, long> { ["c0ffee"] = 3, ["beef"] = 0 },
            Error = new ErrorDetail { Code = "unhealthy", Message = "web is unhealthy", Stack = "app", Service = "web" },
            RetryPhase = DeploymentPhases.RollingBack,
            Attempts = 2,
        };
        using (var database = AgentDatabase.Open(dir.Path, _time).Database!)
        {
            new ReleaseStore(database).Save(saved);
        }

        using var reopened = AgentDatabase.Open(dir.Path, _time).Database!;
        var read = new ReleaseStore(reopened).Update;

        Assert.NotNull(read);
        Assert.Equal(saved with { RestartBaselines = read.RestartBaselines }, read);
        Assert.Equal(saved.RestartBaselines.OrderBy(b => b.Key), read.RestartBaselines.OrderBy(b => b.Key));
    }

    [Fact]
    public void Commit_KeepsTheNewestReleases_WithTheirImageIds_AndTheUpdatePhase()
    {
        using var dir = new TempDirectory();
        using var database = AgentDatabase.Open(dir.Path, _time).Database!;
        var store = new ReleaseStore(database, keep: 2);

        for (var version = 1; version <= 4; version++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            store.Commit(Release(version), new UpdateRecord { Version = version, Phase = DeploymentPhases.Committed, Since = _time.GetUtcNow() });
        }

        Assert.Equal([3L, 4L], store.Committed.Select(r => r.Version));
        var last = store.LastCommitted!;
        Assert.Equal(4, last.Version);
        Assert.Equal(_time.GetUtcNow(), last.CommittedAt);
        var stack = Assert.Single(last.Stacks);
        Assert.Equal(("app", "sha256:d4", "services: {}\n", TimeSpan.FromSeconds(12)), (stack.Name, stack.Digest, stack.Compose, stack.HealthWindow));
        Assert.Equal("sha256:image-of-web-4", stack.ImageIds["web"]);
        Assert.Equal("a.b", Assert.Single(stack.Variables).Key);
        Assert.Equal(DeploymentPhases.Committed, store.Update?.Phase);
        Assert.Equal("sha256:image-of-web-4", last.ImagePins()["app"]["web"]);
    }

    [Fact]
    public void FleetImages_HoldEveryCommittedAndPulledImage_PastTheReleasesKept_UntilForgotten()
    {
        using var dir = new TempDirectory();
        using (var database = AgentDatabase.Open(dir.Path, _time).Database!)
        {
            var store = new ReleaseStore(database, keep: 1);
            store.Commit(Release(1), new UpdateRecord { Version = 1, Phase = DeploymentPhases.Committed, Since = _time.GetUtcNow() });
            store.RememberImages(["sha256:pulled-for-2", "sha256:pulled-for-2", ""]);
            store.Commit(Release(3), new UpdateRecord { Version = 3, Phase = DeploymentPhases.Committed, Since = _time.GetUtcNow() });
            store.ForgetImages(["sha256:image-of-web-3", "sha256:never-known"]);
        }

        using var reopened = AgentDatabase.Open(dir.Path, _time).Database!;
        var read = new ReleaseStore(reopened, keep: 1);

        Assert.Equal([3L], read.Committed.Select(r => r.Version));
        Assert.Equal(["sha256:image-of-web-1", "sha256:pulled-for-2"], read.FleetImages);
    }

    private Release Release(long version) => new()
    {
        Version = version,
        CommittedAt = _time.GetUtcNow(),
        Stacks =
        [
            new StackRelease
            {
                Name = "app",
                Digest = $"sha256:d{version}",
                Compose = "services: {}\n",
                Variables = new Dictionary<string, string> { ["a.b"] = "x" },
                HealthWindow = TimeSpan.FromSeconds(12),
                ImageIds = new Dictionary<string, string> { ["web"] = $"sha256:image-of-web-{version}" },
            },
        ],
    };
}
