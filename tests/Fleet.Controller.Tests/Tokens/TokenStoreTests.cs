using Fleet.Controller.Tokens;
using Fleet.Protocol.Api;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Tokens;

public sealed class TokenStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TryUse_SingleUseToken_WorksOnceThenIsRefused()
    {
        var store = new TokenStore(_temp.Database, _time);
        var token = store.Create(new TokenCreateRequest { Labels = new Dictionary<string, string> { ["site"] = "berlin" } }).Value!.Token!;

        var first = store.TryUse(token);
        var second = store.TryUse(token);

        Assert.True(first.Succeeded);
        Assert.Equal("berlin", first.Value!.Labels["site"]);
        Assert.Equal(401, second.Failure!.Status);
    }

    [Fact]
    public void TryUse_ThreeUseToken_AllowsExactlyThree()
    {
        var store = new TokenStore(_temp.Database, _time);
        var token = store.Create(new TokenCreateRequest { Uses = 3 }).Value!.Token!;

        var results = Enumerable.Range(0, 4).Select(_ => store.TryUse(token).Succeeded).ToList();

        Assert.Equal([true, true, true, false], results);
        Assert.Equal(0, store.List().Single().UsesLeft);
    }

    [Fact]
    public void TryUse_AfterExpiry_IsRefused()
    {
        var store = new TokenStore(_temp.Database, _time);
        var token = store.Create(new TokenCreateRequest { Uses = 5, ExpiresInSeconds = 60 }).Value!.Token!;

        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal("unauthorized", store.TryUse(token).Failure!.Code);
    }

    [Fact]
    public void TryUse_WithWrongSecretForAKnownId_IsRefused()
    {
        var store = new TokenStore(_temp.Database, _time);
        var token = store.Create(new TokenCreateRequest()).Value!.Token!;
        var forged = token[..token.IndexOf('.', StringComparison.Ordinal)] + ".0000";

        Assert.False(store.TryUse(forged).Succeeded);
        Assert.True(store.TryUse(token).Succeeded);
    }

    [Fact]
    public void List_NeverShowsTheSecret_AndSurvivesReopen()
    {
        var store = new TokenStore(_temp.Database, _time);
        var created = store.Create(new TokenCreateRequest { Uses = 2 }).Value!;

        var listed = new TokenStore(_temp.Reopen(), _time).List().Single();

        Assert.Null(listed.Token);
        Assert.Equal(created.Id, listed.Id);
        Assert.Equal(2, listed.UsesLeft);
    }

    [Theory]
    [InlineData(0, null, "uses: 0 must be between 1 and 1000000")]
    [InlineData(1, 0L, "expiresInSeconds: 0 must be between 1 and 31622400")]
    public void Create_WithBadNumbers_SaysWhichField(int uses, long? expires, string message)
    {
        var store = new TokenStore(_temp.Database, _time);

        var refused = store.Create(new TokenCreateRequest { Uses = uses, ExpiresInSeconds = expires });

        Assert.Equal(message, refused.Failure!.Message);
    }

    [Fact]
    public void Create_WithABadLabel_NamesIt()
    {
        var store = new TokenStore(_temp.Database, _time);

        var refused = store.Create(new TokenCreateRequest { Labels = new Dictionary<string, string> { ["site"] = "a b" } });

        Assert.StartsWith("labels.site: value 'a b'", refused.Failure!.Message, StringComparison.Ordinal);
    }
}
