using System.Globalization;
using Fleet.Controller.Api;
using Fleet.Controller.Broker;
using Fleet.Controller.Commands;
using Fleet.Controller.Publishing;
using Fleet.Controller.Stacks;
using Fleet.Controller.Tokens;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Selectors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fleet.Controller.Devices;

internal static class DeviceEndpoints
{
    public const int RecentEvents = 50;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/devices", (string? selector, string? status, DeviceRegistry devices, DesiredStatePublisher publisher, StackStore stacks) =>
        {
            var parsed = LabelSelector.Parse(selector ?? "");
            if (!parsed.Succeeded)
            {
                return ApiResults.BadRequest($"selector: {parsed.Error}");
            }

            Func<DeviceSummary, bool>? filter = status switch
            {
                null or "" => _ => true,
                "online" => d => d.Online,
                "offline" => d => !d.Online,
                "failed" => d => d.Phase is DeploymentPhases.Failed or DeploymentPhases.RolledBack,
                _ => null,
            };
            if (filter is null)
            {
                return ApiResults.BadRequest($"status: '{status}' must be online, offline or failed");
            }

            return TypedResults.Json<IReadOnlyList<DeviceSummary>>(
                [.. devices.List(parsed.Value, filter).Select(d => WithVersions(d, publisher, stacks))],
                ApiJsonContext.Default.IReadOnlyListDeviceSummary);
        })
        .Produces<IReadOnlyList<DeviceSummary>>()
        .Produces<ApiError>(StatusCodes.Status400BadRequest);

        api.MapGet("/devices/{id}", (string id, DeviceRegistry devices, DesiredStatePublisher publisher, StackStore stacks) =>
            devices.Detail(id, RecentEvents) is { } detail
                ? TypedResults.Json(detail with { Device = WithVersions(detail.Device, publisher, stacks) }, ApiJsonContext.Default.DeviceDetail)
                : ApiResults.NotFound($"no device '{id}'"))
        .Produces<DeviceDetail>()
        .Produces<ApiError>(StatusCodes.Status404NotFound);

        api.MapPatch("/devices/{id}/labels", async (string id, HttpRequest request, DeviceRegistry devices, CancellationToken cancellationToken) =>
        {
            var body = await ApiRequest.ReadAsync(request, ApiJsonContext.Default.LabelUpdate, cancellationToken);
            if (!body.Succeeded)
            {
                return ApiResults.From(body.Failure!);
            }

            if (Labels.Validate(body.Value!.Set, "set") is { } invalid)
            {
                return ApiResults.BadRequest(invalid);
            }

            if (body.Value.Remove.Select(Labels.ValidateKey).FirstOrDefault(e => e is not null) is { } badKey)
            {
                return ApiResults.BadRequest($"remove: {badKey}");
            }

            return devices.UpdateLabels(id, body.Value) is { } summary
                ? TypedResults.Json(summary, ApiJsonContext.Default.DeviceSummary)
                : ApiResults.NotFound($"no device '{id}'");
        })
        .Accepts<LabelUpdate>("application/json")
        .Produces<DeviceSummary>()
        .Produces<ApiError>(StatusCodes.Status404NotFound);

        api.MapDelete("/devices/{id}", async (string id, DeviceRegistry devices, CredentialTable credentials, DesiredStatePublisher publisher, TrustPublisher trust, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            if (devices.Device(id) is null)
            {
                return ApiResults.NotFound($"no device '{id}'");
            }

            // Credentials first: the device cannot reconnect to put anything back while its topics are cleared.
            // The external broker's password file first of all: if it cannot be changed, the device stays, to retry.
            if (services.GetService(typeof(MosquittoPasswordFile)) is MosquittoPasswordFile passwordFile)
            {
                try
                {
                    await passwordFile.RemoveDeviceAsync(id, cancellationToken);
                }
                catch (IOException ex)
                {
                    return ApiResults.NotReady(ex.Message);
                }
            }

            credentials.RemoveDevice(id);
            if (services.GetService(typeof(EmbeddedBroker)) is EmbeddedBroker broker)
            {
                await broker.DisconnectAsync(id);
            }

            devices.Remove(id);
            publisher.Forget(id);
            await trust.ClearRetainedAsync(id, cancellationToken);
            return Results.NoContent();
        })
        .Produces(StatusCodes.Status204NoContent)
        .Produces<ApiError>(StatusCodes.Status404NotFound)
        .Produces<ApiError>(StatusCodes.Status503ServiceUnavailable);

        api.MapGet("/devices/{id}/logs", async (string id, string? service, string? stack, int? tail, long? since, DeviceRegistry devices, DesiredStatePublisher publisher, CommandRelay relay, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        {
            if (devices.Device(id) is not { } device)
            {
                return ApiResults.NotFound($"no device '{id}'");
            }

            if (string.IsNullOrEmpty(service))
            {
                return ApiResults.BadRequest("service: required");
            }

            if (tail is < 0 or > 100_000)
            {
                return ApiResults.BadRequest($"tail: {tail} must be between 0 and 100000");
            }

            if (since is < 1)
            {
                return ApiResults.BadRequest($"since: {since} must be a positive number of seconds");
            }

            if (string.IsNullOrEmpty(stack))
            {
                var assigned = publisher.Assignments(id);
                if (assigned.Count != 1)
                {
                    return ApiResults.BadRequest($"stack: required (device '{id}' has {assigned.Count} stacks)");
                }

                stack = assigned[0].Stack;
            }

            if (!device.Online)
            {
                return ApiResults.Error(StatusCodes.Status409Conflict, "device-offline", $"device '{id}' is offline");
            }

            var args = new CommandArgs
            {
                Stack = stack,
                Service = service,
                Tail = tail ?? 100,
                Since = since is { } seconds ? timeProvider.GetUtcNow().AddSeconds(-seconds) : null,
            };
            var result = await relay.SendAsync(id, CommandKinds.Logs, args, cancellationToken);
            if (result is null)
            {
                return ApiResults.Error(StatusCodes.Status504GatewayTimeout, "timeout", $"device '{id}' did not answer in time");
            }

            if (!result.Ok)
            {
                var error = result.Error ?? new ErrorDetail { Code = "device-error", Message = "the device refused without a reason" };
                return error.Code == "unknown-service"
                    ? ApiResults.NotFound(error.Message)
                    : ApiResults.Error(StatusCodes.Status502BadGateway, error.Code, $"device '{id}': {error.Message}");
            }

            return TypedResults.Json(new LogsResponse { Device = id, Stack = stack, Service = service, Text = result.Output ?? "" }, ApiJsonContext.Default.LogsResponse);
        })
        .Produces<LogsResponse>()
        .Produces<ApiError>(StatusCodes.Status409Conflict)
        .Produces<ApiError>(StatusCodes.Status504GatewayTimeout);
    }

    // The stack version a device runs, where its digest is the one of the version assigned to it.
    private static DeviceSummary WithVersions(DeviceSummary summary, DesiredStatePublisher publisher, StackStore stacks) =>
        summary with
        {
            Stacks = [.. summary.Stacks.Select(s => publisher.AssignedVersion(summary.Id, s.Name) is { } v && stacks.Get(s.Name, v)?.Digest == s.Digest
                ? s with { Version = v }
                : s)],
        };
}
