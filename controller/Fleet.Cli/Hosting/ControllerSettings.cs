namespace Fleet.Cli.Hosting;

/// <summary>Where the controller is and which operator token to send, resolved from options, variables and files.</summary>
internal sealed record ControllerSettings(Uri Controller, string? Token)
{
    public const string DefaultDataDirectory = "/var/lib/fleet-controller";
    public const string TokenFileName = "operator-token";

    /// <summary>
    /// --controller, else FLEET_CONTROLLER, else the default; --token, else FLEET_TOKEN, else the
    /// <c>operator-token</c> file of a controller on this machine (FLEET_CONTROLLER_DATA or the default data
    /// directory) when it can be read. Null with <paramref name="error"/> for a URL that is not http(s).
    /// </summary>
    public static ControllerSettings? Resolve(string? controllerOption, string? tokenOption, Func<string, string?> variable, out string error)
    {
        ArgumentNullException.ThrowIfNull(variable);
        error = "";
        var text = NonEmpty(controllerOption) ?? NonEmpty(variable("FLEET_CONTROLLER")) ?? GlobalOptions.DefaultController;
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            error = $"--controller '{text}' is not an http:// or https:// URL";
            return null;
        }

        var token = NonEmpty(tokenOption) ?? NonEmpty(variable("FLEET_TOKEN")) ?? ReadTokenFile(variable("FLEET_CONTROLLER_DATA"));
        return new ControllerSettings(uri, token);
    }

    private static string? ReadTokenFile(string? dataDirectory)
    {
        var path = Path.Combine(NonEmpty(dataDirectory) ?? DefaultDataDirectory, TokenFileName);
        try
        {
            return File.Exists(path) ? NonEmpty(File.ReadAllText(path).Trim()) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not readable by this user: the same as no token there; the 401 that follows says what to do.
            return null;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
