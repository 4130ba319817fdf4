using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Topics;
using Fleet.Sim.Enrollment;
using Fleet.Sim.Simulation;

namespace Fleet.Sim.Commands;

/// <summary><c>fleet-sim run</c>: enroll N simulated devices, hold their sessions, answer desired states until stopped.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var controller = new Option<string?>("--controller") { Description = "Controller URL, e.g. http://127.0.0.1:8080 (enrolls every device)" };
        var token = new Option<string?>("--enroll-token") { Description = "Enrollment token with at least N uses" };
        var devices = new Option<int>("--devices") { Description = "How many simulated devices", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Labels for every device, k=v,k2=v2" };
        var prefix = new Option<string>("--id-prefix") { Description = "Device ids are PREFIX00001, PREFIX00002, ...", DefaultValueFactory = _ => "sim-" };
        var broker = new Option<string?>("--broker") { Description = "Broker URI instead of the one enrollment returns, e.g. mqtt://127.0.0.1:1883" };
        var secret = new Option<string?>("--secret") { Description = "No controller: connect to --broker (a `fleet-sim broker`) with this shared secret; nothing can sign for these devices" };
        var phaseDelay = new Option<string>("--phase-delay") { Description = "Mean wait before downloading, applying, verifying and the end (100ms, 1s, 0)", DefaultValueFactory = _ => "100ms" };
        var reportInterval = new Option<string>("--report-interval") { Description = "The least time between two reports of a device, as the agent's ReportIntervalMilliseconds (1s, 0: each change at once)", DefaultValueFactory = _ => "1s" };
        var jitter = new Option<double>("--jitter") { Description = "Each wait is the phase delay ± this fraction", DefaultValueFactory = _ => 0.5 };
        var failRate = new Option<double>("--fail-rate") { Description = "Fraction of devices whose updates roll back (rolled-back, code unhealthy)" };
        var connectRate = new Option<int>("--connect-rate") { Description = "New connections per second", DefaultValueFactory = _ => 1000 };
        var connectConcurrency = new Option<int>("--connect-concurrency") { Description = "Connections being set up at once", DefaultValueFactory = _ => 64 };
        var enrollConcurrency = new Option<int>("--enroll-concurrency") { Description = "Enrollment requests at once", DefaultValueFactory = _ => 16 };
        var publishConcurrency = new Option<int>("--publish-concurrency") { Description = "Work (reports, steps) running at once, fleet-wide (0: no bound; each device still reports one at a time, as an agent)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed for the failing devices and the jitter", DefaultValueFactory = _ => 1 };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long once connected (default: until Ctrl+C)" };
        var heartbeat = new Option<string>("--heartbeat") { Description = "Each device reports its status again this often once all are connected (the agent's is 60s; 0: off)", DefaultValueFactory = _ => "0" };
        var statsEvery = new Option<string>("--stats-every") { Description = "Print a stats line this often (0: never)", DefaultValueFactory = _ => "5s" };
        var command = new Command("run", "Enroll N SIMULATED devices (scale tests only), hold their MQTT sessions and answer desired states with the agent's protocol, until stopped.")
        {
            controller, token, devices, labels, prefix, broker, secret, phaseDelay, reportInterval, jitter, failRate, connectRate,
            connectConcurrency, enrollConcurrency, publishConcurrency, seed, duration, heartbeat, statsEvery,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var problems = new List<string>();
            var options = new SimOptions
            {
                PhaseDelay = DurationText.TryParse(parse.GetValue(phaseDelay)) ?? Problem(problems, "--phase-delay: not a duration"),
                ReportInterval = DurationText.TryParse(parse.GetValue(reportInterval)) ?? Problem(problems, "--report-interval: not a duration"),
                Jitter = parse.GetValue(jitter),
                FailRate = parse.GetValue(failRate),
                ConnectRate = parse.GetValue(connectRate),
                ConnectConcurrency = parse.GetValue(connectConcurrency),
                PublishConcurrency = parse.GetValue(publishConcurrency),
                Seed = parse.GetValue(seed),
            };
            problems.AddRange(options.Validate());
            var run = new RunSettings(
                parse.GetValue(controller) is { } url && Uri.TryCreate(url, UriKind.Absolute, out var controllerUri) ? controllerUri : null,
                parse.GetValue(token),
                parse.GetValue(devices),
                LabelText.TryParse(parse.GetValue(labels)) ?? new Dictionary<string, string>(),
                parse.GetValue(prefix) ?? "sim-",
                parse.GetValue(broker) is { } b && Uri.TryCreate(b, UriKind.Absolute, out var brokerUri) ? brokerUri : null,
                parse.GetValue(secret),
                Math.Max(1, parse.GetValue(enrollConcurrency)),
                parse.GetValue(duration) is { } d ? DurationText.TryParse(d) ?? Problem(problems, "--duration: not a duration") : null,
                DurationText.TryParse(parse.GetValue(statsEvery)) ?? Problem(problems, "--stats-every: not a duration"),
                DurationText.TryParse(parse.GetValue(heartbeat)) ?? Problem(problems, "--heartbeat: not a duration"));
            problems.AddRange(run.Validate(parse.GetValue(labels), parse.GetValue(controller), parse.GetValue(broker)));
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    Console.Error.WriteLine($"fleet-sim: {problem}");
                }

                return Task.FromResult(2);
            }

            return RunAsync(run, options, cancellationToken);
        });
        return command;
    }

    private static TimeSpan Problem(List<string> problems, string problem)
    {
        problems.Add(problem);
        return TimeSpan.Zero;
    }

    private static async Task<int> RunAsync(RunSettings run, SimOptions options, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var clock = Stopwatch.StartNew();
        var ids = Enumerable.Range(1, run.Devices)
            .Select(i => run.IdPrefix + i.ToString("D" + Math.Max(5, run.Devices.ToString(CultureInfo.InvariantCulture).Length), CultureInfo.InvariantCulture))
            .ToArray();
        IReadOnlyList<EnrollmentResponse> enrollments;
        try
        {
            enrollments = run.Secret is { } secret
                ? WithoutController(ids, run.Broker!, secret, run.Labels)
                : await EnrollAsync(run, ids, time, clock, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 130;
        }

        if (enrollments.Count == 0)
        {
            Console.Error.WriteLine("fleet-sim: no device enrolled");
            return 1;
        }

        if (run.Broker is { } overrideUri)
        {
            enrollments = enrollments.Select(e => e with { Broker = e.Broker with { Uri = overrideUri } }).ToArray();
        }

        using var runtime = new SimRuntime(options, time, line => Console.Error.WriteLine(line));
        var before = Environment.WorkingSet;
        await using var fleet = new SimFleet(runtime, enrollments);
        Console.WriteLine(FormattableString.Invariant(
            $"fleet-sim: {fleet.Devices.Count} simulated devices ({fleet.Devices.Count(d => d.Fails)} set to fail), connecting to {enrollments[0].Broker.Uri} at up to {options.ConnectRate}/s"));
        var connectClock = Stopwatch.StartNew();
        using var stats = run.StatsEvery > TimeSpan.Zero ? new Timer(_ => PrintStats(fleet, runtime, clock), null, run.StatsEvery, run.StatsEvery) : null;
        try
        {
            await fleet.StartAsync(1000, (count, elapsed) => Console.WriteLine(FormattableString.Invariant(
                $"fleet-sim: {count} connected after {elapsed.TotalSeconds:F1} s, RSS {Environment.WorkingSet / 1048576.0:F0} MB ({(Environment.WorkingSet - before) / 1024.0 / count:F1} KB/device over the start), managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MB")), cancellationToken);
            await fleet.AllConnected.WaitAsync(cancellationToken);
            Console.WriteLine(FormattableString.Invariant(
                $"connected {fleet.Devices.Count} devices in {connectClock.Elapsed.TotalSeconds:F1} s (RSS {Environment.WorkingSet / 1048576.0:F0} MB)"));
            if (run.Heartbeat > TimeSpan.Zero)
            {
                fleet.StartHeartbeat(run.Heartbeat);
            }

            if (run.Duration is { } bound)
            {
                await Task.Delay(bound, time, cancellationToken);
            }
            else
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: say goodbye below.
        }

        PrintStats(fleet, runtime, clock);
        foreach (var (reason, count) in fleet.ConnectFailures)
        {
            Console.Error.WriteLine($"fleet-sim: {count} connect attempt(s) failed: {reason}");
        }

        await fleet.StopAsync(TimeSpan.FromSeconds(10));
        return 0;
    }

    private static async Task<IReadOnlyList<EnrollmentResponse>> EnrollAsync(
        RunSettings run, string[] ids, TimeProvider time, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var enroller = new Enroller(http, run.Controller!, run.EnrollConcurrency, time);
        var outcome = await enroller.EnrollAsync(ids, run.Token!, run.Labels, cancellationToken);
        Console.WriteLine(FormattableString.Invariant(
            $"fleet-sim: enrolled {outcome.Enrolled.Count} of {ids.Length} devices in {clock.Elapsed.TotalSeconds:F1} s"));
        foreach (var failure in outcome.Failures.Take(5))
        {
            Console.Error.WriteLine($"fleet-sim: enrollment failed: {failure}");
        }

        if (outcome.Failures.Count > 5)
        {
            Console.Error.WriteLine($"fleet-sim: ... and {outcome.Failures.Count - 5} more enrollment failures");
        }

        return outcome.Enrolled;
    }

    // Without a controller nothing can sign for the devices: they pin a root nobody keeps.
    private static EnrollmentResponse[] WithoutController(string[] ids, Uri broker, string secret, IReadOnlyDictionary<string, string> labels)
    {
        using var root = SigningKey.Generate("sim-unused-root");
        return ids.Select(id => new EnrollmentResponse
        {
            DeviceId = id,
            Broker = new BrokerCredentials { Uri = broker, Username = id, Password = secret },
            Root = root.PublicKey,
            Labels = labels,
        }).ToArray();
    }

    private static void PrintStats(SimFleet fleet, SimRuntime runtime, Stopwatch clock) =>
        Console.WriteLine(FormattableString.Invariant(
            $"fleet-sim: t={clock.Elapsed.TotalSeconds:F0}s connected={fleet.Connected} reconnects={fleet.Reconnects} accepted={runtime.Accepted} committed={runtime.Committed} rolled-back={runtime.RolledBack} rejected={runtime.Rejected} published={runtime.MessagesOut} statuses={runtime.StatusesOut} RSS={Environment.WorkingSet / 1048576.0:F0}MB"));

    private sealed record RunSettings(
        Uri? Controller, string? Token, int Devices, IReadOnlyDictionary<string, string> Labels, string IdPrefix, Uri? Broker,
        string? Secret, int EnrollConcurrency, TimeSpan? Duration, TimeSpan StatsEvery, TimeSpan Heartbeat)
    {
        public IEnumerable<string> Validate(string? labelText, string? controllerText, string? brokerText)
        {
            if (Devices is <= 0 or > 100_000)
            {
                yield return "--devices must be between 1 and 100000";
            }

            if (LabelText.TryParse(labelText) is null)
            {
                yield return $"--labels '{labelText}': expected k=v,k2=v2";
            }

            if (controllerText is not null && Controller is null)
            {
                yield return $"--controller '{controllerText}' is not an absolute URL";
            }

            if (brokerText is not null && Broker is null)
            {
                yield return $"--broker '{brokerText}' is not a URI";
            }

            if (Secret is null && (Controller is null || string.IsNullOrEmpty(Token)))
            {
                yield return "give --controller and --enroll-token (or --broker and --secret to skip enrollment)";
            }

            if (Secret is not null && Broker is null)
            {
                yield return "--secret needs --broker";
            }

            if (!DeviceId.IsValid(IdPrefix + "1"))
            {
                yield return $"--id-prefix '{IdPrefix}' does not make valid device ids ([a-z0-9][a-z0-9._-]*)";
            }
        }
    }
}
