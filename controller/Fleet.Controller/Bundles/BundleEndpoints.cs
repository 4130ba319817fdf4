using Fleet.Controller.Api;
using Fleet.Protocol.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fleet.Controller.Bundles;

internal static class BundleEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/bundles", (HttpRequest request, BundleSigner signer, CancellationToken cancellationToken) => ApiRequest.HandleAsync(
            request,
            ApiJsonContext.Default.BundleRequest,
            ApiJsonContext.Default.BundleResponse,
            body => Task.FromResult(signer.Sign(body)),
            StatusCodes.Status200OK,
            cancellationToken))
        .Accepts<BundleRequest>("application/json")
        .Produces<BundleResponse>()
        .Produces<ApiError>(StatusCodes.Status400BadRequest)
        .Produces<ApiError>(StatusCodes.Status503ServiceUnavailable);
    }
}
