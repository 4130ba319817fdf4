namespace Fleet.Compose.Yaml;

/// <summary>Where a node was written: every diagnostic can point back to it.</summary>
internal readonly record struct SourceMark(string File, int Line, int Column);
