using System.Text.RegularExpressions;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Deploy;

/// <summary>
/// deploy/compose/docker-compose.yml. Its images (eclipse-mosquitto, the controller's) cannot be
/// pulled on the test machine, so this checks what docker-compose itself validates, and that the
/// broker there gets the very files MosquittoAclTests runs.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string ComposeDirectory = Path.Combine(RepoPaths.Root, "deploy", "compose");

    [Fact]
    public async Task Config_IsValid_AndMountsTheMosquittoFilesOfDeployMosquitto()
    {
        var (code, output) = await ComposeConfigAsync(new Dictionary<string, string> { ["FLEET_BROKER_SECRET"] = "s3cret", ["FLEET_PUBLIC_HOST"] = "broker.example" });

        Assert.True(code == 0, output);
        foreach (var file in new[] { "mosquitto.conf", "devices.acl", "controllers.acl", "reload-on-change.sh" })
        {
            var source = Path.Combine(RepoPaths.Root, "deploy", "mosquitto", file);
            Assert.True(File.Exists(source), source);
            Assert.Contains(source + ":", output, StringComparison.Ordinal);
        }

        Assert.Contains("FLEET_CONTROLLER__ExternalBroker: mqtt://mosquitto:1884", output, StringComparison.Ordinal);
        Assert.Contains("FLEET_CONTROLLER__BrokerUri: mqtt://broker.example:1883", output, StringComparison.Ordinal);
        Assert.DoesNotContain("1884:1884", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_SharesTheDevicePasswordFileOfMosquittoConf_WithTheControllerThatKeepsIt()
    {
        var (code, output) = await ComposeConfigAsync(new Dictionary<string, string> { ["FLEET_BROKER_SECRET"] = "s3cret", ["FLEET_PUBLIC_HOST"] = "broker.example" });
        Assert.True(code == 0, output);

        // Where mosquitto.conf looks for the device passwords is the shared volume, in both containers.
        var passwordFile = File.ReadLines(Path.Combine(RepoPaths.Root, "deploy", "mosquitto", "mosquitto.conf"))
            .Select(line => line.Split(' ', 2))
            .Single(words => words[0] == "password_file" && words[1].Contains("devices", StringComparison.Ordinal))[1];
        Assert.Equal(2, CountOf(output, $"device-credentials:{Path.GetDirectoryName(passwordFile)}:rw"));
        Assert.Contains($"FLEET_CONTROLLER__ExternalBrokerPasswordFile: {passwordFile}", output, StringComparison.Ordinal);
        Assert.Contains($"RELOAD_WATCH: {passwordFile}", output, StringComparison.Ordinal);

        // mosquitto runs under the watcher, and the controller does not try to signal it.
        Assert.Contains(Path.Combine(RepoPaths.Root, "deploy", "mosquitto", "reload-on-change.sh") + ":/usr/local/bin/reload-on-change:ro", output, StringComparison.Ordinal);
        Assert.Contains(
            "exec /bin/sh /usr/local/bin/reload-on-change /usr/sbin/mosquitto -c /etc/mosquitto/mosquitto.conf",
            Regex.Replace(output, @"\s+", " "), // docker-compose folds the long entrypoint line
            StringComparison.Ordinal);
        Assert.DoesNotContain("ExternalBrokerReload", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_WithoutTheBrokerSecret_IsRefused()
    {
        var (code, output) = await ComposeConfigAsync(new Dictionary<string, string> { ["FLEET_PUBLIC_HOST"] = "broker.example" });

        Assert.True(code != 0, output);
        Assert.Contains("FLEET_BROKER_SECRET", output, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static async Task<(int ExitCode, string Output)> ComposeConfigAsync(Dictionary<string, string> environment)
    {
        // Only what the test sets: a .env or variables of the machine must not fill the gaps.
        environment["FLEET_BROKER_SECRET"] = environment.GetValueOrDefault("FLEET_BROKER_SECRET", "");
        var emptyEnvFile = Path.GetTempFileName();
        try
        {
            await using var process = ExternalProcess.Start(
                "docker-compose",
                environment,
                "--project-directory", ComposeDirectory, "--env-file", emptyEnvFile, "-f", Path.Combine(ComposeDirectory, "docker-compose.yml"), "config");
            var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
            return (code, process.Output);
        }
        finally
        {
            File.Delete(emptyEnvFile);
        }
    }
}
