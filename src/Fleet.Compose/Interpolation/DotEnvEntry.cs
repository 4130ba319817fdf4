namespace Fleet.Compose.Interpolation;

/// <summary>One line of an env file; a null value is a bare "KEY" (take it from the environment).</summary>
internal readonly record struct DotEnvEntry(string Key, string? Value, int Line);
