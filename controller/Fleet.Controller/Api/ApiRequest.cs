using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Fleet.Controller.Api;

/// <summary>
/// Reads a JSON body with the source-generated contract, so that a malformed body answers one line in an
/// <see cref="Protocol.Api.ApiError"/> (naming the member when System.Text.Json knows it) instead of an empty 400.
/// </summary>
public static class ApiRequest
{
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    public static async Task<ApiOutcome<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBodyBytes)
        {
            return ApiFailure.Invalid($"body is larger than {MaxBodyBytes} bytes");
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, cancellationToken);
            return value is null ? ApiFailure.Invalid("body: a JSON object is required") : ApiOutcome<T>.Success(value);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } path ? $"{path.TrimStart('$', '.')}: " : "";
            return ApiFailure.Invalid($"body: {where}{FirstLine(ex.Message)}");
        }
    }

    /// <summary>Reads the body, hands it to <paramref name="handle"/>, and answers its value as JSON or its failure as an ApiError.</summary>
    public static async Task<IResult> HandleAsync<TRequest, TResponse>(
        HttpRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        Func<TRequest, Task<ApiOutcome<TResponse>>> handle,
        int successStatus,
        CancellationToken cancellationToken)
        where TRequest : class
    {
        ArgumentNullException.ThrowIfNull(handle);
        var body = await ReadAsync(request, requestType, cancellationToken);
        if (!body.Succeeded)
        {
            return ApiResults.From(body.Failure!);
        }

        var outcome = await handle(body.Value!);
        return outcome.Succeeded
            ? TypedResults.Json(outcome.Value!, responseType, statusCode: successStatus)
            : ApiResults.From(outcome.Failure!);
    }

    private static string FirstLine(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).ReplaceLineEndings(" ");
    }
}
