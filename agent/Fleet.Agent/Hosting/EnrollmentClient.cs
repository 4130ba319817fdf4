using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Fleet.Protocol.Api;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;

namespace Fleet.Agent.Hosting;

/// <summary>
/// Exchanges a one-time enrollment token at the controller (<c>POST /api/v1/enroll</c>) for what the
/// device needs to run on its own. Every expected failure (no answer, a refused token, an answer that
/// is not usable) is a failed result with one line for the operator.
/// </summary>
public sealed class EnrollmentClient(HttpClient http)
{
    public const string Route = "api/v1/enroll";

    public async Task<ParseResult<EnrollmentResponse>> EnrollAsync(Uri controller, EnrollmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(controller);
        var endpoint = new Uri(controller.AbsoluteUri.EndsWith('/') ? controller : new Uri(controller.AbsoluteUri + "/"), Route);
        using var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, ApiJsonContext.Default.EnrollmentRequest));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage answer;
        byte[] content;
        try
        {
            answer = await http.PostAsync(endpoint, body, cancellationToken);
            content = await answer.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return ParseResult<EnrollmentResponse>.Failed($"cannot reach the controller at {controller}: {ex.GetBaseException().Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ParseResult<EnrollmentResponse>.Failed($"the controller at {controller} did not answer within {http.Timeout.TotalSeconds:F0} s");
        }

        using (answer)
        {
            if (!answer.IsSuccessStatusCode)
            {
                var status = (int)answer.StatusCode;
                var error = ProtocolJson.Parse(content, ApiJsonContext.Default.ApiError);
                var said = error.Succeeded ? $"{error.Value.Error}: {error.Value.Message}" : answer.ReasonPhrase ?? "no reason given";
                return ParseResult<EnrollmentResponse>.Failed(answer.StatusCode == HttpStatusCode.Unauthorized
                    ? $"the controller refused the enrollment token ({status} {said})"
                    : $"the controller refused the enrollment ({status} {said})");
            }

            var parsed = ProtocolJson.Parse(content, ApiJsonContext.Default.EnrollmentResponse);
            if (!parsed.Succeeded)
            {
                return ParseResult<EnrollmentResponse>.Failed($"the controller's answer is not an enrollment: {parsed.Error}");
            }

            return Check(parsed.Value) is { } unusable
                ? ParseResult<EnrollmentResponse>.Failed($"the controller's enrollment is not usable: {unusable}")
                : parsed;
        }
    }

    /// <summary>Null when the device can run with <paramref name="response"/>; else what is wrong, naming the field.</summary>
    public static string? Check(EnrollmentResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (DeviceId.Validate(response.DeviceId) is { } badId)
        {
            return "deviceId: " + badId;
        }

        if (response.Broker.Uri.Scheme is not ("mqtt" or "mqtts"))
        {
            return $"broker.uri: '{response.Broker.Uri}' is not mqtt:// or mqtts://";
        }

        var root = PublicKeys.ImportJson(PublicKeys.ExportJson(response.Root));
        if (!root.Succeeded)
        {
            return "root: " + root.Error;
        }

        var trust = TrustStore.Create(root.Value).Apply(response.Trust);
        return trust.IsAccepted ? null : "trust: " + trust;
    }
}
