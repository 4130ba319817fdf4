namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>Waits on a condition with a timeout, polling; never a fixed sleep.</summary>
internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string because) =>
        TrueAsync(condition, timeout, () => because);

    /// <param name="because">Evaluated only on failure, so it can show state as it is then (e.g. a process's output).</param>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not true after {timeout}: {because()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
