namespace Fleet.Cli.Parsing;

/// <summary>One <c>key=value</c> label from the command line.</summary>
internal sealed record LabelPair(string Key, string Value);
