namespace Fleet.Compose.Interpolation;

/// <summary>Returns a variable's value, or null when it is not set at all (set-but-empty is "").</summary>
internal delegate string? VariableLookup(string name);
