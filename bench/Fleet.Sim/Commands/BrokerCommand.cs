using System.CommandLine;
using Fleet.Sim.Broker;

namespace Fleet.Sim.Commands;

/// <summary><c>fleet-sim broker</c>: the controller's embedded broker class alone, for reference figures without a controller.</summary>
internal static class BrokerCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1", DefaultValueFactory = _ => 1883 };
        var secret = new Option<string>("--secret") { Description = "Shared secret every client authenticates with", Required = true };
        var command = new Command(
            "broker",
            "Host the controller's EmbeddedBroker (same code, same ACL) alone on 127.0.0.1 with one shared secret, for scale tests only: "
            + "a reference for `fleet-sim throughput` and `fleet-sim run --secret`.")
        {
            port, secret,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var broker = await BenchBroker.StartAsync(parse.GetValue(port), parse.GetValue(secret)!);
            Console.WriteLine($"fleet-sim: embedded broker listening on {broker.Uri} (Ctrl+C stops it)");
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stop.
            }

            return 0;
        });
        return command;
    }
}
