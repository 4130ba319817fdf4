using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Engine;
using Fleet.Agent.Docker.Labels;
using Fleet.Agent.Mqtt;
using Fleet.Agent.Storage;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;

namespace Fleet.Agent.Updates;

/// <summary>
/// Answers the controller's commands (MQTT v5 request/response): container logs of a service,
/// restarting a service, reporting now, reconciling now, sending journalled events again. Every command gets one reply on the
/// response topic it named, with its correlation data; unknown or malformed commands get an error
/// reply, never a crash.
/// </summary>
public sealed class CommandHandler(
    string deviceId,
    Uri? dockerEndpoint,
    Action reportNow,
    Action reconcileNow,
    EventJournal journal,
    Action sendEventsNow)
{
    /// <summary>Logs beyond this are cut from the front: the newest lines matter, and the broker caps payloads.</summary>
    public const int MaxLogBytes = 256 * 1024;

    public async Task HandleAsync(BrokerSession session, BrokerMessage message, CancellationToken cancellationToken)
    {
        if (message.ResponseTopic is not { } responseTopic || !DeviceTopics.IsReplyTopicOf(deviceId, responseTopic))
        {
            return; // Nowhere this device may answer; the controller times the command out.
        }

        var result = await ExecuteAsync(message.Payload, cancellationToken);
        await session.PublishAsync(
            responseTopic,
            ProtocolJson.Serialize(result, ProtocolJsonContext.Default.DeviceCommandResult),
            retain: false,
            cancellationToken,
            message.CorrelationData);
    }

    public async Task<DeviceCommandResult> ExecuteAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var parsed = ProtocolJson.Parse(payload.Span, ProtocolJsonContext.Default.DeviceCommand);
        if (!parsed.Succeeded)
        {
            return DeviceCommandResult.Failure(null, CommandKinds.MalformedCommandCode, parsed.Error);
        }

        var command = parsed.Value;
        if (CommandKinds.Validate(command) is { } invalid)
        {
            return DeviceCommandResult.Failure(command.Id, invalid.Code, invalid.Message);
        }

        switch (command.Kind)
        {
            case CommandKinds.Report:
                reportNow();
                return DeviceCommandResult.Success(command.Id, "status report requested");
            case CommandKinds.Reconcile:
                reconcileNow();
                return DeviceCommandResult.Success(command.Id, "reconcile requested");
            case CommandKinds.ResendEvents:
                return ResendEvents(command);
        }

        try
        {
            using var engine = await DockerEngine.ConnectAsync(dockerEndpoint, cancellationToken);
            var containers = await ServiceContainersAsync(engine.Client, command.Args!, cancellationToken);
            if (containers is null)
            {
                return DeviceCommandResult.Failure(command.Id, "unknown-service", $"stack '{command.Args!.Stack}' has no service '{command.Args.Service}' on this device");
            }

            return command.Kind == CommandKinds.Logs
                ? DeviceCommandResult.Success(command.Id, await LogsAsync(engine.Client, containers, command.Args!, cancellationToken))
                : DeviceCommandResult.Success(command.Id, await RestartAsync(engine.Client, containers, cancellationToken));
        }
        catch (Exception ex) when (ex is EngineUnavailableException or DockerApiException or HttpRequestException or IOException)
        {
            return DeviceCommandResult.Failure(command.Id, "engine-unavailable", ex.Message);
        }
    }

    private DeviceCommandResult ResendEvents(DeviceCommand command)
    {
        var resend = journal.Requeue(command.Args!.AfterSeq!.Value, command.Args.ThroughSeq);
        if (resend.Requeued > 0)
        {
            sendEventsNow();
        }

        var held = resend.OldestHeld is { } oldest ? string.Create(CultureInfo.InvariantCulture, $"oldest held {oldest}") : "none held";
        return DeviceCommandResult.Success(
            command.Id,
            string.Create(CultureInfo.InvariantCulture, $"re-queued {resend.Requeued} event(s) in ({resend.AfterSeq}, {resend.ThroughSeq}]; {held}")) with
        {
            Resend = resend,
        };
    }

    private static async Task<IList<ContainerListResponse>?> ServiceContainersAsync(DockerClient client, CommandArgs args, CancellationToken cancellationToken)
    {
        var containers = await client.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = ComposeLabels.Filter(args.Stack!, args.Service) },
            cancellationToken);
        return containers.Count == 0
            ? null
            : containers.OrderBy(c => c.Labels.TryGetValue(ComposeLabels.ContainerNumber, out var n) ? n : "", StringComparer.Ordinal).ToList();
    }

    private static async Task<string> LogsAsync(DockerClient client, IList<ContainerListResponse> containers, CommandArgs args, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        foreach (var container in containers)
        {
            using var stream = await client.Containers.GetContainerLogsAsync(
                container.ID,
                new ContainerLogsParameters
                {
                    ShowStdout = true,
                    ShowStderr = true,
                    Timestamps = true,
                    Tail = args.Tail?.ToString(CultureInfo.InvariantCulture) ?? "all",
                    Since = args.Since?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                },
                cancellationToken);
            var buffer = new byte[16 * 1024];
            while (await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken) is { EOF: false } read)
            {
                output.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
            }
        }

        return output.Length <= MaxLogBytes ? output.ToString() : output.ToString(output.Length - MaxLogBytes, MaxLogBytes);
    }

    private static async Task<string> RestartAsync(DockerClient client, IList<ContainerListResponse> containers, CancellationToken cancellationToken)
    {
        foreach (var container in containers)
        {
            await client.Containers.RestartContainerAsync(container.ID, new ContainerRestartParameters { WaitBeforeKillSeconds = 10 }, cancellationToken);
        }

        return string.Create(CultureInfo.InvariantCulture, $"restarted {containers.Count} container(s)");
    }
}
