using Fleet.Controller.Api;
using Fleet.Protocol.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fleet.Controller.Tokens;

internal static class TokenEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/tokens", (HttpRequest request, TokenStore tokens, CancellationToken cancellationToken) => ApiRequest.HandleAsync(
            request,
            ApiJsonContext.Default.TokenCreateRequest,
            ApiJsonContext.Default.TokenInfo,
            body => Task.FromResult(tokens.Create(body)),
            StatusCodes.Status201Created,
            cancellationToken))
        .Accepts<TokenCreateRequest>("application/json")
        .Produces<TokenInfo>(StatusCodes.Status201Created)
        .Produces<ApiError>(StatusCodes.Status400BadRequest);

        api.MapGet("/tokens", (TokenStore tokens) => TypedResults.Json(tokens.List(), ApiJsonContext.Default.IReadOnlyListTokenInfo))
            .Produces<IReadOnlyList<TokenInfo>>();
    }
}
