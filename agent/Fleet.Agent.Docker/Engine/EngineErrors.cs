using System.Text.Json;
using Docker.DotNet;

namespace Fleet.Agent.Docker.Engine;

/// <summary>Turns an engine error into the one line a person reads: the engine's own message, not the HTTP wrapping.</summary>
public static class EngineErrors
{
    public static string Describe(DockerApiException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var body = exception.ResponseBody;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("message", out var message)
                    && message.GetString() is { Length: > 0 } text)
                {
                    return text.Trim();
                }
            }
            catch (JsonException)
            {
                // Not JSON: the body itself is the best description there is.
            }

            return body.Trim();
        }

        return $"the engine answered {(int)exception.StatusCode} {exception.StatusCode}";
    }
}
