using Fleet.Controller.Api;
using Fleet.Protocol.Api;
using Fleet.Protocol.Enrollment;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fleet.Controller.Enrollment;

internal static class EnrollmentEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/enroll", (HttpRequest request, EnrollmentService enrollment, CancellationToken cancellationToken) => ApiRequest.HandleAsync(
            request,
            ApiJsonContext.Default.EnrollmentRequest,
            ApiJsonContext.Default.EnrollmentResponse,
            body => enrollment.EnrollAsync(body, cancellationToken),
            StatusCodes.Status200OK,
            cancellationToken))
        .Accepts<EnrollmentRequest>("application/json")
        .Produces<EnrollmentResponse>()
        .Produces<ApiError>(StatusCodes.Status401Unauthorized)
        .Produces<ApiError>(StatusCodes.Status503ServiceUnavailable);
    }
}
