namespace Fleet.Compose;

public enum DiagnosticSeverity
{
    Error,
    Warning,
}
