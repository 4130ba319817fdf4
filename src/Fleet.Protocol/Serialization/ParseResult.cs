namespace Fleet.Protocol.Serialization;

/// <summary>A parsed value, or a one-line reason why the bytes were not one.</summary>
public sealed record ParseResult<T>
    where T : class
{
    private ParseResult(T? value, string? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public string? Error { get; }

    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Value))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

#pragma warning disable CA1000 // A factory on the generic type reads best at the call site: ParseResult<T>.Failed(...)
    public static ParseResult<T> Success(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    public static ParseResult<T> Failed(string error) => new(null, error);
#pragma warning restore CA1000
}
