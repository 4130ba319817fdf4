using System.Diagnostics;
using System.Text.RegularExpressions;
using Fleet.Controller.Broker;

namespace Fleet.Controller.Tests.Broker;

/// <summary>The hash format against the real mosquitto_passwd, and the file's rewrite rules.</summary>
public sealed class MosquittoPasswordFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-passwd-").FullName;

    private string PasswordFile => Path.Combine(_directory, "devices.passwd");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Verify_AcceptsTheLineMosquittoPasswdWrote_AndRefusesAnotherSecret()
    {
        var secret = DeviceSecret.Create();
        var hash = MosquittoPasswd("pi-1", secret)["pi-1"];

        Assert.True(MosquittoPasswordHash.Verify(secret, hash));
        Assert.False(MosquittoPasswordHash.Verify(secret + "x", hash));
    }

    [Fact]
    public void Create_WithMosquittoPasswdsSalt_GivesExactlyItsLine()
    {
        var secret = DeviceSecret.Create();
        var theirs = MosquittoPasswd("pi-1", secret)["pi-1"];
        var parts = theirs.Split('$');

        var ours = MosquittoPasswordHash.Create(secret, Convert.FromBase64String(parts[3]), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(theirs, ours);
    }

    [Fact]
    public void Create_HasMosquittoPasswdsShape_IterationsSaltAndHashLengths()
    {
        var theirs = MosquittoPasswd("pi-1", "s")["pi-1"];
        var ours = MosquittoPasswordHash.Create("s");

        var shape = new Regex(@"^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$");
        Assert.Matches(shape, theirs);
        Assert.Matches(shape, ours);
        Assert.NotEqual(ours, MosquittoPasswordHash.Create("s"));
    }

    [Fact]
    public async Task SetDevice_ReplacesOnlyThatDevicesLine_KeepsTheOthersAndTheFilesMode()
    {
        var keep = DeviceSecret.Create();
        MosquittoPasswd("pi-2", keep);
        File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var file = new MosquittoPasswordFile(PasswordFile, reloadPidFile: null, TimeProvider.System);

        await file.SetDeviceAsync("pi-1", "first", CancellationToken.None);
        await file.SetDeviceAsync("pi-1", "second", CancellationToken.None);

        var lines = Read();
        Assert.Equal(["pi-2", "pi-1"], lines.Keys);
        Assert.True(MosquittoPasswordHash.Verify(keep, lines["pi-2"]));
        Assert.True(MosquittoPasswordHash.Verify("second", lines["pi-1"]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(PasswordFile));
        Assert.Equal([PasswordFile, file.LockPath], Directory.GetFiles(_directory).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SetDevice_ThenMosquittoPasswd_CheckingTheFile_KeepsOurLine()
    {
        // mosquitto_passwd parses every line of the file to rewrite it: ours must be lines it reads.
        var file = new MosquittoPasswordFile(PasswordFile, reloadPidFile: null, TimeProvider.System);
        await file.SetDeviceAsync("pi-1", "ours", CancellationToken.None);

        MosquittoPasswd("pi-2", "theirs");

        var lines = Read();
        Assert.True(MosquittoPasswordHash.Verify("ours", lines["pi-1"]));
        Assert.True(MosquittoPasswordHash.Verify("theirs", lines["pi-2"]));
    }

    [Fact]
    public async Task RemoveDevice_DropsItsLine_AndAnUnknownDeviceChangesNothing()
    {
        var file = new MosquittoPasswordFile(PasswordFile, reloadPidFile: null, TimeProvider.System);
        await file.SetDeviceAsync("pi-1", "a", CancellationToken.None);
        await file.SetDeviceAsync("pi-10", "b", CancellationToken.None);

        await file.RemoveDeviceAsync("pi-1", CancellationToken.None);
        await file.RemoveDeviceAsync("pi-3", CancellationToken.None);

        Assert.Equal(["pi-10"], Read().Keys);
    }

    [Fact]
    public async Task Reload_WithAPidFileThatHoldsNoPid_IsOneLineNamingTheSetting()
    {
        var pidFile = Path.Combine(_directory, "mosquitto.pid");
        File.WriteAllText(pidFile, "nope\n");
        var file = new MosquittoPasswordFile(PasswordFile, pidFile, TimeProvider.System);

        var error = await Assert.ThrowsAsync<IOException>(() => file.SetDeviceAsync("pi-1", "a", CancellationToken.None));

        Assert.StartsWith("ExternalBrokerReload: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task SetDevice_FromTwoWritersAtOnce_KeepsEveryWritersLines()
    {
        // Two instances stand for two controller processes: only the flock on the lock file keeps one's
        // read-modify-write from overwriting the other's.
        string[] names = ["a", "b"];
        var writers = names.Select(name => (Name: name, File: new MosquittoPasswordFile(PasswordFile, reloadPidFile: null, TimeProvider.System))).ToList();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Both writers released at once.
        var runs = writers.Select(writer => Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < 150; i++)
            {
                await writer.File.SetDeviceAsync($"{writer.Name}-{i}", "s", CancellationToken.None);
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));

        var expected = writers.SelectMany(writer => Enumerable.Range(0, 150).Select(i => $"{writer.Name}-{i}")).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Read().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SetDevice_WhileMosquittoPasswdWritesUnderTheLockInAnotherProcess_KeepsEveryLine()
    {
        // The documented hand procedure, run in a loop by another process while this one enrolls.
        File.WriteAllText(PasswordFile, "");
        var file = new MosquittoPasswordFile(PasswordFile, reloadPidFile: null, TimeProvider.System);
        using var other = Process.Start(new ProcessStartInfo(
            "sh",
            ["-c", "for i in $(seq 0 99); do flock \"$1.lock\" mosquitto_passwd -b \"$1\" \"op-$i\" s || exit 1; done", "sh", PasswordFile])
        {
            RedirectStandardError = true,
        })!;

        for (var i = 0; i < 100; i++)
        {
            await file.SetDeviceAsync($"ctl-{i}", "s", CancellationToken.None);
        }

        var errors = other.StandardError.ReadToEnd();
        Assert.True(other.WaitForExit(TimeSpan.FromSeconds(60)), "the mosquitto_passwd loop did not finish");
        Assert.True(other.ExitCode == 0, errors);
        string[] writers = ["ctl", "op"];
        var expected = writers.SelectMany(writer => Enumerable.Range(0, 100).Select(i => $"{writer}-{i}")).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Read().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SetDevice_WhileAnotherProcessHoldsTheLockPastTheTimeout_FailsNamingTheSetting_AndLeavesTheFile()
    {
        var file = new MosquittoPasswordFile(PasswordFile, reloadPidFile: null, TimeProvider.System, lockTimeout: TimeSpan.FromMilliseconds(300));
        await file.SetDeviceAsync("pi-1", "a", CancellationToken.None);
        var before = File.ReadAllText(PasswordFile);

        // util-linux flock(1), as an operator would run mosquitto_passwd under it: holds the lock until its stdin closes.
        using var holder = Process.Start(new ProcessStartInfo("flock", [file.LockPath, "-c", "echo locked; cat >/dev/null"]) { RedirectStandardInput = true, RedirectStandardOutput = true })!;
        try
        {
            Assert.Equal("locked", holder.StandardOutput.ReadLine());

            var error = await Assert.ThrowsAsync<IOException>(() => file.SetDeviceAsync("pi-2", "b", CancellationToken.None));

            Assert.StartsWith("ExternalBrokerPasswordFile: ", error.Message, StringComparison.Ordinal);
            Assert.Contains(file.LockPath, error.Message, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllText(PasswordFile));
        }
        finally
        {
            holder.StandardInput.Close();
            Assert.True(holder.WaitForExit(TimeSpan.FromSeconds(10)), "flock did not exit");
        }

        await file.SetDeviceAsync("pi-2", "b", CancellationToken.None);
        Assert.Equal(["pi-1", "pi-2"], Read().Keys);
    }

    private Dictionary<string, string> Read() => File.ReadAllLines(PasswordFile)
        .Select(line => line.Split(':', 2))
        .ToDictionary(parts => parts[0], parts => parts[1]);

    /// <summary>Adds (or replaces) a user in the test's password file with the real mosquitto_passwd; the file's lines after.</summary>
    private Dictionary<string, string> MosquittoPasswd(string user, string secret)
    {
        var start = new ProcessStartInfo("mosquitto_passwd") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in File.Exists(PasswordFile) ? ["-b", PasswordFile, user, secret] : new[] { "-c", "-b", PasswordFile, user, secret })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "mosquitto_passwd did not finish");
        Assert.True(process.ExitCode == 0, $"mosquitto_passwd: {output}");
        return Read();
    }
}
