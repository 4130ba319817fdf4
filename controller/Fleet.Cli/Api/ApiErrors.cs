using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Fleet.Protocol.Api;

namespace Fleet.Cli.Api;

/// <summary>Turns what went wrong on the way to the controller into one line for the operator.</summary>
internal static class ApiErrors
{
    public const string TokenHint = "pass --token, set FLEET_TOKEN, or run on the controller's machine";

    /// <summary>A non-2xx answer: the controller's own <see cref="ApiError"/> message when it sent one.</summary>
    public static ApiFailure FromAnswer(int statusCode, string? body, string route, bool hadToken)
    {
        var error = TryParse(body);
        if (statusCode == 401)
        {
            return new ApiFailure(
                error?.Error ?? "unauthorized",
                hadToken
                    ? $"the controller refused the operator token ({error?.Message ?? "401 unauthorized"}); {TokenHint}"
                    : $"no operator token: {TokenHint}",
                statusCode);
        }

        if (error is not null)
        {
            return new ApiFailure(error.Error, error.Message, statusCode);
        }

        var what = statusCode == 404 ? "not found" : string.Create(CultureInfo.InvariantCulture, $"the controller answered {statusCode}");
        return new ApiFailure(statusCode == 404 ? "not-found" : ApiFailure.BadAnswer, $"{what}: {route}", statusCode);
    }

    /// <summary>A transport failure: nothing listens, the name does not resolve, the connection broke or timed out.</summary>
    public static ApiFailure FromTransport(Exception exception, Uri controller)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var reason = exception switch
        {
            TaskCanceledException or TimeoutException => "no answer in time",
            HttpRequestException { InnerException: SocketException socket } => socket.Message,
            HttpRequestException http => http.Message,
            _ => exception.GetBaseException().Message,
        };
        return new ApiFailure(ApiFailure.Unreachable, $"cannot reach the controller at {controller.GetLeftPart(UriPartial.Authority)}: {reason}");
    }

    /// <summary>A 2xx answer whose body is not the contract's shape (a controller of another version, a proxy page).</summary>
    public static ApiFailure FromBadBody(string route, string detail) =>
        new(ApiFailure.BadAnswer, $"the controller's answer to {route} is not what the console expects: {detail}");

    private static ApiError? TryParse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, ApiJsonContext.Default.ApiError);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
