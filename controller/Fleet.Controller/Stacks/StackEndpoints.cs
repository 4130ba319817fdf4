using System.Globalization;
using Fleet.Controller.Api;
using Fleet.Protocol.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fleet.Controller.Stacks;

internal static class StackEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/stacks/{name}/versions", async (string name, HttpRequest request, StackStore stacks, CancellationToken cancellationToken) =>
        {
            var body = await ApiRequest.ReadAsync(request, ApiJsonContext.Default.StackPushRequest, cancellationToken);
            if (!body.Succeeded)
            {
                return ApiResults.From(body.Failure!);
            }

            var pushed = stacks.Push(name, body.Value!);
            if (!pushed.Succeeded)
            {
                return ApiResults.From(pushed.Failure!);
            }

            var (version, created) = pushed.Value;
            return TypedResults.Json(version.Info(withCompose: false), ApiJsonContext.Default.StackVersionInfo,
                statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        })
        .Accepts<StackPushRequest>("application/json")
        .Produces<StackVersionInfo>(StatusCodes.Status201Created)
        .Produces<StackVersionInfo>()
        .Produces<ApiError>(StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/stacks", (StackStore stacks) => TypedResults.Json(stacks.List(), ApiJsonContext.Default.IReadOnlyListStackSummary))
            .Produces<IReadOnlyList<StackSummary>>();

        api.MapGet("/stacks/{name}", (string name, StackStore stacks) =>
        {
            var versions = stacks.Versions(name);
            return versions.Count == 0
                ? ApiResults.NotFound($"no stack '{name}'")
                : TypedResults.Json<IReadOnlyList<StackVersionInfo>>(
                    [.. versions.Select(v => v.Info(withCompose: false))], ApiJsonContext.Default.IReadOnlyListStackVersionInfo);
        })
        .Produces<IReadOnlyList<StackVersionInfo>>()
        .Produces<ApiError>(StatusCodes.Status404NotFound);

        api.MapGet("/stacks/{name}/versions/{version}", (string name, string version, StackStore stacks) =>
        {
            int? number = null;
            if (version != "latest")
            {
                if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
                {
                    return ApiResults.BadRequest($"version: '{version}' must be a number from 1 or 'latest'");
                }

                number = parsed;
            }

            return stacks.Get(name, number) is { } found
                ? TypedResults.Json(found.Info(withCompose: true), ApiJsonContext.Default.StackVersionInfo)
                : ApiResults.NotFound($"no version {version} of stack '{name}'");
        })
        .Produces<StackVersionInfo>()
        .Produces<ApiError>(StatusCodes.Status404NotFound);
    }
}
