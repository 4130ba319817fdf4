using System.CommandLine;
using Fleet.Sim.Broker;

namespace Fleet.Sim.Commands;

/// <summary><c>fleet-sim throughput</c>: raw QoS 1 status messages per second through a broker, with no controller in the path.</summary>
internal static class ThroughputCommand
{
    public static Command Create()
    {
        var broker = new Option<string>("--broker") { Description = "Broker URI, e.g. mqtt://127.0.0.1:1883 (a `fleet-sim broker`)", Required = true };
        var secret = new Option<string>("--secret") { Description = "The broker's shared secret", Required = true };
        var messages = new Option<int>("--messages") { Description = "Messages in all", DefaultValueFactory = _ => 100_000 };
        var publishers = new Option<int>("--publishers") { Description = "Publishing clients (devices)", DefaultValueFactory = _ => 16 };
        var window = new Option<int>("--window") { Description = "Unacknowledged publishes per publisher", DefaultValueFactory = _ => 32 };
        var shared = new Option<bool>("--shared") { Description = "Subscribe with the controller's $share/ filter instead of fleet/v1/dev/+/status (MQTTnet's server refuses it; mosquitto takes it)" };
        var notRetained = new Option<bool>("--not-retained") { Description = "Publish without the retain flag (statuses are retained; this shows what keeping them costs)" };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long", DefaultValueFactory = _ => "90s" };
        var command = new Command(
            "throughput",
            "Measure the broker's raw throughput for the controller's ingest path: device clients publish retained QoS 1 status "
            + "messages on their own topics, one client subscribed as the controller counts them.")
        {
            broker, secret, messages, publishers, window, shared, notRetained, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(broker), UriKind.Absolute, out var uri) || DurationText.TryParse(parse.GetValue(timeout)) is not { } bound
                || parse.GetValue(messages) <= 0 || parse.GetValue(publishers) <= 0 || parse.GetValue(window) <= 0)
            {
                Console.Error.WriteLine("fleet-sim: throughput needs a broker URI, a duration for --timeout and positive counts");
                return 2;
            }

            var result = await RawThroughput.MeasureAsync(
                uri, parse.GetValue(secret)!, parse.GetValue(messages), parse.GetValue(publishers), parse.GetValue(window), parse.GetValue(shared), !parse.GetValue(notRetained), bound, cancellationToken);
            Console.WriteLine(result.ToString());
            return result.Received == result.Sent ? 0 : 1;
        });
        return command;
    }
}
