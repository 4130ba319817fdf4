using System.Text.Json;
using Fleet.Protocol.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fleet.Controller.Rollouts;

/// <summary>The rollout routes of <c>docs/api.md</c>. JSON through <see cref="ApiJsonContext"/>; every error an <see cref="ApiError"/>.</summary>
public static class RolloutApi
{
    /// <summary>
    /// Maps <c>rollouts</c>, <c>rollouts/{id}</c> and <c>rollouts/{id}/pause|resume|abort|rollback</c> below
    /// <paramref name="endpoints"/>: call it on the host's <c>/api/v1</c> group, which carries the authentication.
    /// </summary>
    public static IEndpointRouteBuilder MapRollouts(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var rollouts = endpoints.MapGroup("rollouts").WithTags("rollouts");

        rollouts.MapPost("", CreateAsync)
            .WithName("CreateRollout")
            .Accepts<RolloutRequest>("application/json")
            .Produces<RolloutInfo>(StatusCodes.Status201Created)
            .Produces<ApiError>(StatusCodes.Status400BadRequest)
            .Produces<ApiError>(StatusCodes.Status404NotFound)
            .Produces<ApiError>(StatusCodes.Status409Conflict);

        // ?devices=false: each wave's devices are counted by phase but not listed, for progress views that poll.
        rollouts.MapGet("", (bool? devices, RolloutCoordinator coordinator) =>
                Results.Json(coordinator.List(devices ?? true), ApiJsonContext.Default.IReadOnlyListRolloutInfo))
            .WithName("ListRollouts")
            .Produces<IReadOnlyList<RolloutInfo>>();

        rollouts.MapGet("{id}", (string id, bool? devices, RolloutCoordinator coordinator) =>
                coordinator.Find(id, devices ?? true) is { } rollout
                    ? Results.Json(rollout, ApiJsonContext.Default.RolloutInfo)
                    : Error(RolloutResult.Fail(StatusCodes.Status404NotFound, "not-found", $"rollout {id} not found")))
            .WithName("GetRollout")
            .Produces<RolloutInfo>()
            .Produces<ApiError>(StatusCodes.Status404NotFound);

        MapAction(rollouts, "pause", "PauseRollout", (c, id, ct) => c.PauseAsync(id, ct));
        MapAction(rollouts, "resume", "ResumeRollout", (c, id, ct) => c.ResumeAsync(id, ct));
        MapAction(rollouts, "abort", "AbortRollout", (c, id, ct) => c.AbortAsync(id, ct));
        MapAction(rollouts, "rollback", "RollbackRollout", (c, id, ct) => c.RollbackAsync(id, ct));
        return endpoints;
    }

    private static void MapAction(
        RouteGroupBuilder rollouts,
        string action,
        string name,
        Func<RolloutCoordinator, string, CancellationToken, Task<RolloutResult>> act)
    {
        rollouts.MapPost("{id}/" + action, async (string id, RolloutCoordinator coordinator, CancellationToken cancellationToken) =>
                Answer(await act(coordinator, id, cancellationToken)))
            .WithName(name)
            .Produces<RolloutInfo>()
            .Produces<ApiError>(StatusCodes.Status404NotFound)
            .Produces<ApiError>(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, RolloutCoordinator coordinator, CancellationToken cancellationToken)
    {
        RolloutRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(request.Body, ApiJsonContext.Default.RolloutRequest, cancellationToken);
        }
        catch (JsonException ex)
        {
            return Error(RolloutResult.Fail(StatusCodes.Status400BadRequest, "invalid-request", "body: " + OneLine(ex.Message)));
        }

        return body is null
            ? Error(RolloutResult.Fail(StatusCodes.Status400BadRequest, "invalid-request", "body: a RolloutRequest is required"))
            : Answer(await coordinator.CreateAsync(body, cancellationToken));
    }

    private static IResult Answer(RolloutResult result) =>
        result.Rollout is { } rollout
            ? Results.Json(rollout, ApiJsonContext.Default.RolloutInfo, statusCode: result.Status)
            : Error(result);

    private static IResult Error(RolloutResult result) =>
        Results.Json(result.Error, ApiJsonContext.Default.ApiError, statusCode: result.Status);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
