using System.CommandLine;
using Fleet.Agent.Bundles;
using Fleet.Agent.Hosting;
using Fleet.Agent.Storage;
using Fleet.Agent.Updates;
using Fleet.Protocol.Policy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Commands;

/// <summary>
/// <c>fleet-agent bundle import FILE --data DIR</c>: hands the bundle to the agent running on DIR (it owns
/// the database), or, when none runs, imports it here under the directory lock; the agent applies the
/// stored state when it starts. One line of outcome; exit 1 when the bundle is refused.
/// </summary>
internal static class BundleCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The bundle (fleet bundle create)" };
        var data = new Option<string>("--data") { Description = "The agent's data directory", Required = true };
        var docker = new Option<string?>("--docker") { Description = "Docker engine address, when no agent runs (default: the agent's settings)" };
        var config = new Option<string?>("--config") { Description = "Extra JSON settings file, as for run, when no agent runs" };
        var import = new Command("import", "Import an air-gapped bundle: verify it, load its images, and hand its desired state to the agent.")
        {
            file, data, docker, config,
        };
        import.SetAction((parse, cancellationToken) => ImportAsync(
            parse.GetValue(file)!, parse.GetValue(data)!, parse.GetValue(docker), parse.GetValue(config), cancellationToken));
        return new Command("bundle", "Air-gapped bundles.") { import };
    }

    private static async Task<int> ImportAsync(string bundle, string directory, string? docker, string? configFile, CancellationToken cancellationToken)
    {
        if (!File.Exists(bundle))
        {
            return Fail($"{bundle}: no such file");
        }

        if (!Directory.Exists(directory))
        {
            return Fail($"--data: {directory}: no such data directory");
        }

        if (await BundleImportServer.AskAsync(directory, bundle, cancellationToken) is { } answered)
        {
            return Report(answered, running: true);
        }

        var (options, problems) = AgentConfiguration.Load(
            new Dictionary<string, string?> { [nameof(AgentOptions.DataDirectory)] = directory, [nameof(AgentOptions.Docker)] = docker },
            configFile);
        if (options is null)
        {
            foreach (var problem in problems)
            {
                Console.Error.WriteLine($"fleet-agent: {problem}");
            }

            return 1;
        }

        var root = RootKeyFile.Load(options.RootKey!);
        if (!root.Succeeded)
        {
            return Fail(root.Error);
        }

        var opened = AgentDatabase.Open(directory, TimeProvider.System);
        if (opened.Database is not { } database)
        {
            return Fail($"{opened.Error} (it does not answer on {BundleImportServer.FileName})");
        }

        using (database)
        {
            var time = TimeProvider.System;
            var store = new DesiredStateStore(database, time);
            var journal = new EventJournal(database, time);
            var trust = new TrustState(root.Value, store);
            EnrollmentFiles.SeedTrust(directory, store, trust);
            var device = new DeviceIdentity(options.ResolveDeviceId(), options.Labels);
            var intake = new DesiredStateIntake(
                directory, store, journal, trust, new DesiredStateVerifier(time), device, NullLogger<DesiredStateIntake>.Instance);
            using var importer = new BundleImporter(
                directory, store, journal, trust, intake, device,
                new EngineImageStore(string.IsNullOrEmpty(options.Docker) ? null : new Uri(options.Docker)),
                time, NullLogger<BundleImporter>.Instance);
            return Report(await importer.ImportAsync(Path.GetFullPath(bundle), cancellationToken), running: false);
        }
    }

    private static int Report(BundleImportResult result, bool running)
    {
        if (result.Outcome == BundleImportOutcome.Rejected)
        {
            return Fail(result.Message);
        }

        Console.Out.WriteLine(result.Outcome == BundleImportOutcome.Accepted && !running
            ? $"{result.Message} when it starts (no agent runs on this data directory)"
            : result.Message);
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fleet-agent: {message.ReplaceLineEndings(" ")}");
        return 1;
    }
}
