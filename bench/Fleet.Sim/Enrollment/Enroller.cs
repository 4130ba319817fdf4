using System.Net;
using System.Net.Http.Json;
using Fleet.Protocol.Api;
using Fleet.Protocol.Enrollment;

namespace Fleet.Sim.Enrollment;

/// <summary>
/// Enrolls simulated devices as <c>fleet-agent enroll</c> does (<c>POST /api/v1/enroll</c> with an
/// <see cref="EnrollmentRequest"/>), a bounded number at a time so the controller's API is loaded
/// the way a burst of real devices would load it, not all 10,000 requests at once.
/// </summary>
public sealed class Enroller(HttpClient http, Uri controller, int concurrency, TimeProvider timeProvider)
{
    private const int Attempts = 3;

    public async Task<EnrollmentOutcome> EnrollAsync(
        IReadOnlyList<string> deviceIds, string token, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        var uri = new Uri(controller, "/api/v1/enroll");
        var results = new EnrollmentResponse?[deviceIds.Count];
        var failures = new string?[deviceIds.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, deviceIds.Count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                var request = new EnrollmentRequest { Token = token, DeviceId = deviceIds[index], Labels = labels };
                (results[index], failures[index]) = await EnrollOneAsync(uri, request, ct);
            });
        return new EnrollmentOutcome(
            results.OfType<EnrollmentResponse>().ToArray(),
            failures.Select((failure, i) => failure is null ? null : $"{deviceIds[i]}: {failure}").OfType<string>().ToArray());
    }

    private async Task<(EnrollmentResponse? Response, string? Failure)> EnrollOneAsync(Uri uri, EnrollmentRequest request, CancellationToken cancellationToken)
    {
        string failure = "not tried";
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                using var response = await http.PostAsJsonAsync(uri, request, ApiJsonContext.Default.EnrollmentRequest, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.EnrollmentResponse, cancellationToken);
                    return body is null ? (null, "empty enrollment answer") : (body, null);
                }

                failure = await DescribeAsync(response, cancellationToken);
                // A refused token or device id will be refused again; an overloaded controller may not be.
                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests or HttpStatusCode.GatewayTimeout))
                {
                    return (null, failure);
                }
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), timeProvider, cancellationToken);
        }

        return (null, failure);
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            if (System.Text.Json.JsonSerializer.Deserialize(text, ApiJsonContext.Default.ApiError) is { } error)
            {
                return $"{(int)response.StatusCode} {error.Error}: {error.Message}";
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not an ApiError: say what came.
        }

        return $"{(int)response.StatusCode} {text[..Math.Min(text.Length, 200)]}";
    }
}
