using System.Globalization;
using System.Text;

namespace Fleet.Compose;

/// <summary>One problem found in the input; <see cref="ToString"/> gives the one line a person reads.</summary>
public sealed record ComposeDiagnostic
{
    public required string Message { get; init; }

    public DiagnosticSeverity Severity { get; init; } = DiagnosticSeverity.Error;

    public string? File { get; init; }

    /// <summary>1-based; 0 when unknown.</summary>
    public int Line { get; init; }

    /// <summary>1-based; 0 when unknown.</summary>
    public int Column { get; init; }

    public string? Service { get; init; }

    /// <summary>Path of the field inside the service (or top level), e.g. "ports[0]".</summary>
    public string? Field { get; init; }

    public override string ToString()
    {
        var text = new StringBuilder();
        if (File is not null)
        {
            text.Append(System.IO.Path.GetFileName(File));
            if (Line > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $":{Line}");
                if (Column > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $":{Column}");
                }
            }

            text.Append(": ");
        }

        if (Severity == DiagnosticSeverity.Warning)
        {
            text.Append("warning: ");
        }

        if (Service is not null && !Message.StartsWith("service " + Service + " ", StringComparison.Ordinal))
        {
            text.Append("service ").Append(Service).Append(": ");
        }

        if (Field is not null)
        {
            text.Append(Field).Append(": ");
        }

        return text.Append(Message).ToString();
    }
}
