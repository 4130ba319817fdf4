namespace Fleet.Compose;

/// <summary>One compose file: its path (used in messages and to resolve relative paths) and, optionally, its text already read.</summary>
public sealed record ComposeFile(string Path, string? Content = null);
