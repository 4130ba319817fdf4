using Fleet.Compose.Yaml;

namespace Fleet.Compose.Loading;

/// <summary>Collects every problem so that a person sees all of them at once, not only the first.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<ComposeDiagnostic> _items = [];

    public IReadOnlyList<ComposeDiagnostic> Items => _items;

    public bool HasErrors { get; private set; }

    public void Error(SourceMark? mark, string? service, string? field, string message) =>
        Add(mark, service, field, message, DiagnosticSeverity.Error);

    public void Error(YamlNode node, string? service, string? field, string message) =>
        Add(node.Mark, service, field, message, DiagnosticSeverity.Error);

    public void Warning(YamlNode node, string? service, string? field, string message) =>
        Add(node.Mark, service, field, message, DiagnosticSeverity.Warning);

    public void Add(SourceMark? mark, string? service, string? field, string message, DiagnosticSeverity severity)
    {
        HasErrors |= severity == DiagnosticSeverity.Error;
        _items.Add(new ComposeDiagnostic
        {
            File = mark?.File,
            Line = mark?.Line ?? 0,
            Column = mark?.Column ?? 0,
            Service = service,
            Field = field,
            Message = message,
            Severity = severity,
        });
    }
}
