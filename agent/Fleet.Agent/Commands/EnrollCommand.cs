using System.CommandLine;
using Fleet.Agent.Hosting;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Topics;

namespace Fleet.Agent.Commands;

/// <summary>
/// <c>fleet-agent enroll --controller URL --token TOKEN [--device-id ID] [--labels k=v,...] --data DIR</c>:
/// trades a one-time token for the broker credentials, the pinned root key and the trust documents, and
/// stores them in DIR (see <see cref="EnrollmentFiles"/>), after which <c>run --data DIR</c> needs nothing else.
/// </summary>
internal static class EnrollCommand
{
    public static Command Create()
    {
        var controller = new Option<string>("--controller") { Description = "The controller's base URL, e.g. https://fleet.example:8080", Required = true };
        var token = new Option<string>("--token") { Description = "One-time enrollment token (fleet token create)", Required = true };
        var deviceId = new Option<string?>("--device-id") { Description = "This device's id (default: /etc/machine-id)" };
        var labels = new Option<string?>("--labels") { Description = "Labels to ask for, k=v,k2=v2 (the token's own labels are added by the controller)" };
        var data = new Option<string>("--data") { Description = "The agent's data directory, where the enrollment is stored", Required = true };
        var command = new Command("enroll", "Enroll this device with a controller, storing its broker credentials and the fleet's root key.")
        {
            controller, token, deviceId, labels, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(controller), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                return Fail($"--controller: '{parse.GetValue(controller)}' is not an http:// or https:// URL");
            }

            var id = parse.GetValue(deviceId) ?? MachineId.Read();
            if (id is null)
            {
                return Fail("--device-id: not given, and /etc/machine-id holds no usable id");
            }

            if (DeviceId.Validate(id) is { } invalidId)
            {
                return Fail($"--device-id: {invalidId}");
            }

            var parsedLabels = LabelList.Parse(parse.GetValue(labels));
            if (!parsedLabels.Succeeded)
            {
                return Fail($"--labels: {parsedLabels.Error}");
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var enrolled = await new EnrollmentClient(http).EnrollAsync(
                url, new EnrollmentRequest { Token = parse.GetValue(token)!, DeviceId = id, Labels = parsedLabels.Value }, cancellationToken);
            if (!enrolled.Succeeded)
            {
                return Fail(enrolled.Error);
            }

            var directory = parse.GetValue(data)!;
            try
            {
                EnrollmentFiles.Write(directory, enrolled.Value);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail($"--data: cannot write the enrollment to {directory}: {ex.Message}");
            }

            Console.Out.WriteLine(
                $"enrolled as {enrolled.Value.DeviceId} with broker {enrolled.Value.Broker.Uri}; start the agent with: fleet-agent run --data {directory}");
            return 0;
        });
        return command;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fleet-agent: {message.ReplaceLineEndings(" ")}");
        return 1;
    }
}
