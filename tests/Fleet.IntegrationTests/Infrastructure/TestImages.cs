namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>Images built by deploy/test/build-test-images.sh (docker import of busybox; nothing is pulled).</summary>
internal static class TestImages
{
    public const string Busybox = "fleet-test/busybox:1";
    public const string BusyboxV2 = "fleet-test/busybox:2";

    /// <summary>Label put on everything a test creates, so leftovers can be found and removed.</summary>
    public const string TestLabel = "org.fleet.test-run";

    /// <summary>Compose text of one service <c>app</c> on <paramref name="image"/> that sleeps, labelled as test-made; more services can be appended.</summary>
    public static string SleepingApp(string image) => $$"""
        services:
          app:
            image: {{image}}
            command: ["sleep", "2147483647"]
            labels: {"{{TestLabel}}": "1"}
            stop_grace_period: 1s

        """;
}
