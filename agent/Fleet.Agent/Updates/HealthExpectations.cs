using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.Compose.Model;
using Fleet.Protocol.Messages;

namespace Fleet.Agent.Updates;

/// <summary>
/// What the health window asks of each service of a stack. The window, most specific first:
/// the service's <c>x-fleet: {health-window: 10s}</c>, the desired state's <c>healthWindow</c> for
/// the stack, the file's top-level <c>x-fleet: {health-window: ...}</c>, the agent's default.
/// A service is a one-off with <c>x-fleet: {one-off: true}</c>, or when another service waits for
/// it with <c>condition: service_completed_successfully</c>.
/// </summary>
public static partial class HealthExpectations
{
    public const string Key = "x-fleet";

    /// <summary>The expectations, or a one-line error naming the field.</summary>
    public static (IReadOnlyList<ServiceExpectation> Expectations, string? Error) For(ComposeProject project, StackSpec stack, TimeSpan defaultWindow)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(stack);
        var (topWindow, _, topError) = Read(project.Extensions, $"{stack.Name}: {Key}");
        if (topError is not null)
        {
            return ([], topError);
        }

        var stackWindow = stack.HealthWindow ?? topWindow ?? defaultWindow;
        var awaited = project.Services.Values
            .SelectMany(s => s.DependsOn)
            .Where(d => d.Value.Condition == "service_completed_successfully")
            .Select(d => d.Key)
            .ToHashSet(StringComparer.Ordinal);
        var expectations = new List<ServiceExpectation>();
        foreach (var service in project.Services.Values)
        {
            var (window, oneOff, error) = Read(service.Extensions, $"{stack.Name}: services.{service.Name}.{Key}");
            if (error is not null)
            {
                return ([], error);
            }

            expectations.Add(new ServiceExpectation(stack.Name, service.Name, service.Replicas, window ?? stackWindow, oneOff ?? awaited.Contains(service.Name)));
        }

        return (expectations, null);
    }

    /// <summary>Go-style durations as compose writes them ("30s", "1m30s", "500ms"); a bare number is seconds.</summary>
    public static TimeSpan? ParseWindow(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetDouble(out var seconds) && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text || !DurationText().IsMatch(text))
        {
            return null;
        }

        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(text))
        {
            var number = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                _ => TimeSpan.FromHours(number),
            };
        }

        return total;
    }

    private static (TimeSpan? Window, bool? OneOff, string? Error) Read(ImmutableSortedDictionary<string, JsonElement> extensions, string where)
    {
        if (!extensions.TryGetValue(Key, out var fleet))
        {
            return (null, null, null);
        }

        if (fleet.ValueKind != JsonValueKind.Object)
        {
            return (null, null, $"{where}: must be a mapping");
        }

        TimeSpan? window = null;
        bool? oneOff = null;
        if (fleet.TryGetProperty("health-window", out var w))
        {
            window = ParseWindow(w);
            if (window is null)
            {
                return (null, null, $"{where}.health-window: '{w}' is not a duration (e.g. 30s, 1m30s, 500ms)");
            }
        }

        if (fleet.TryGetProperty("one-off", out var o))
        {
            if (o.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (null, null, $"{where}.one-off: '{o}' must be true or false");
            }

            oneOff = o.GetBoolean();
        }

        return (window, oneOff, null);
    }

    [GeneratedRegex(@"^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationText();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();
}
