using Microsoft.AspNetCore.Http;

namespace Fleet.Controller.Api;

/// <summary>An expected refusal from a store or service, with the status and code it answers over HTTP.</summary>
public sealed record ApiFailure(int Status, string Code, string Message)
{
    public static ApiFailure Invalid(string message) => new(StatusCodes.Status400BadRequest, "invalid-request", message);

    public static ApiFailure NotFound(string message) => new(StatusCodes.Status404NotFound, "not-found", message);

    public static ApiFailure Conflict(string message) => new(StatusCodes.Status409Conflict, "conflict", message);

    public static ApiFailure Unauthorized(string message) => new(StatusCodes.Status401Unauthorized, "unauthorized", message);

    public static ApiFailure NotReady(string message) => new(StatusCodes.Status503ServiceUnavailable, "not-ready", message);
}
