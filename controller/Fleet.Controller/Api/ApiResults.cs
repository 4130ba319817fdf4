using Fleet.Protocol.Api;
using Microsoft.AspNetCore.Http;

namespace Fleet.Controller.Api;

/// <summary>Answers of the REST API: JSON from <see cref="ApiJsonContext"/>, and <see cref="ApiError"/> for every non-2xx.</summary>
public static class ApiResults
{
    public static IResult Error(int status, string code, string message) =>
        TypedResults.Json(new ApiError { Error = code, Message = message }, ApiJsonContext.Default.ApiError, statusCode: status);

    public static IResult BadRequest(string message) => Error(StatusCodes.Status400BadRequest, "invalid-request", message);

    public static IResult NotFound(string message) => Error(StatusCodes.Status404NotFound, "not-found", message);

    public static IResult Conflict(string message) => Error(StatusCodes.Status409Conflict, "conflict", message);

    public static IResult Unauthorized(string message) => Error(StatusCodes.Status401Unauthorized, "unauthorized", message);

    public static IResult NotReady(string message) => Error(StatusCodes.Status503ServiceUnavailable, "not-ready", message);

    public static IResult From(ApiFailure failure) => Error(failure.Status, failure.Code, failure.Message);
}
