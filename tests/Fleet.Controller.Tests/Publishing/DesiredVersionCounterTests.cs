using Fleet.Controller.Publishing;

namespace Fleet.Controller.Tests.Publishing;

public sealed class DesiredVersionCounterTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Next_GrowsByOne_AndAfterReopenNeverRepeatsAVersion()
    {
        var counter = new DesiredVersionCounter(_temp.Database);
        var before = Enumerable.Range(0, 3).Select(_ => counter.Next()).ToList();

        var after = new DesiredVersionCounter(_temp.Reopen()).Next();

        Assert.Equal([1L, 2L, 3L], before);
        Assert.True(after > before[^1], $"{after} must be above {before[^1]}");
    }

    [Fact]
    public void Next_PastABlock_StillGrowsAcrossReopen()
    {
        var counter = new DesiredVersionCounter(_temp.Database);
        long last = 0;
        for (var i = 0; i < DesiredVersionCounter.BlockSize + 5; i++)
        {
            last = counter.Next();
        }

        Assert.True(new DesiredVersionCounter(_temp.Reopen()).Next() > last);
    }
}
