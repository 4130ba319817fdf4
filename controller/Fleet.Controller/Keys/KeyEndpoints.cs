using Fleet.Controller.Api;
using Fleet.Protocol.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fleet.Controller.Keys;

internal static class KeyEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/keys", (KeyStore keys) => TypedResults.Json(keys.Info(), ApiJsonContext.Default.KeysInfo))
            .Produces<KeysInfo>();

        api.MapPost("/keys/pending", (KeyStore keys) => TypedResults.Json(keys.CreatePending(), ApiJsonContext.Default.KeysInfo))
            .Produces<KeysInfo>();

        api.MapPost("/keys/certificates", (HttpRequest request, KeyStore keys, CancellationToken cancellationToken) => ApiRequest.HandleAsync(
            request,
            ApiJsonContext.Default.KeyInstallRequest,
            ApiJsonContext.Default.KeysInfo,
            body => Task.FromResult(keys.Install(body)),
            StatusCodes.Status200OK,
            cancellationToken))
        .Accepts<KeyInstallRequest>("application/json")
        .Produces<KeysInfo>()
        .Produces<ApiError>(StatusCodes.Status400BadRequest)
        .Produces<ApiError>(StatusCodes.Status409Conflict);

        api.MapPost("/keys/revocations", (HttpRequest request, KeyStore keys, CancellationToken cancellationToken) => ApiRequest.HandleAsync(
            request,
            ApiJsonContext.Default.RevocationRequest,
            ApiJsonContext.Default.KeysInfo,
            body => Task.FromResult(keys.Revoke(body)),
            StatusCodes.Status200OK,
            cancellationToken))
        .Accepts<RevocationRequest>("application/json")
        .Produces<KeysInfo>()
        .Produces<ApiError>(StatusCodes.Status400BadRequest)
        .Produces<ApiError>(StatusCodes.Status409Conflict);
    }
}
