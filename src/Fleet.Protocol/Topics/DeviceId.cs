namespace Fleet.Protocol.Topics;

/// <summary>
/// Device ids are <c>[a-z0-9][a-z0-9._-]{0,62}</c>: they always fill one whole topic level,
/// so they can never hold the MQTT wildcards <c>+</c> and <c>#</c> or the level separator <c>/</c>,
/// and an ACL pattern like <c>fleet/v1/dev/%c/...</c> cannot be widened by a crafted id.
/// </summary>
public static class DeviceId
{
    public const int MaxLength = 63;

    public static bool IsValid(string? deviceId) => Validate(deviceId) is null;

    /// <summary>Returns null when the id is valid, otherwise a one-line reason.</summary>
    public static string? Validate(string? deviceId)
    {
        if (string.IsNullOrEmpty(deviceId))
        {
            return "device id is empty";
        }

        if (deviceId.Length > MaxLength)
        {
            return $"device id is {deviceId.Length} characters long, at most {MaxLength} are allowed";
        }

        if (!IsLowerAlphanumeric(deviceId[0]))
        {
            return $"device id '{Printable(deviceId)}' must start with a lowercase letter or a digit";
        }

        for (var i = 1; i < deviceId.Length; i++)
        {
            var c = deviceId[i];
            if (!IsLowerAlphanumeric(c) && c is not ('.' or '_' or '-'))
            {
                return $"device id '{Printable(deviceId)}' holds '{Printable(c.ToString())}' at {i}; allowed are a-z, 0-9, '.', '_' and '-'";
            }
        }

        return null;
    }

    internal static bool IsLowerAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    // Ids come from the network: keep control characters out of log lines and events.
    private static string Printable(string value) =>
        string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
}
