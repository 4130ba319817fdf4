using System.Diagnostics.CodeAnalysis;

namespace Fleet.Protocol.Signing;

/// <summary>
/// The outcome of checking a signed message: the verified value and the kid that signed it,
/// or the reason it was refused with a one-line message. Bad input is never an exception.
/// </summary>
public sealed record VerificationResult<T>
    where T : class
{
    private VerificationResult(T? value, string? kid, RefusalReason reason, string message, T? refusedValue = null)
    {
        Value = value;
        RefusedValue = refusedValue;
        Kid = kid;
        Reason = reason;
        Message = message;
    }

    public T? Value { get; }

    /// <summary>
    /// For a refusal after the payload was verified and parsed (e.g. wrong-device, replayed, expired):
    /// what was refused, so its version can be reported. Never act on it.
    /// </summary>
    public T? RefusedValue { get; }

    /// <summary>The kid the envelope named, when the check got that far.</summary>
    public string? Kid { get; }

    public RefusalReason Reason { get; }

    public string Message { get; }

    /// <summary>The kebab-case code of <see cref="Reason"/>.</summary>
    public string Code => Reason.ToCode();

    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsAccepted => Reason == RefusalReason.None;

#pragma warning disable CA1000 // factories on the generic type read best at the call site
    public static VerificationResult<T> Accepted(T value, string kid) =>
        new(value ?? throw new ArgumentNullException(nameof(value)), kid, RefusalReason.None, "verified");

    public static VerificationResult<T> Refused(RefusalReason reason, string message, string? kid = null, T? refusedValue = null) =>
        reason == RefusalReason.None
            ? throw new ArgumentException("a refusal needs a reason", nameof(reason))
            : new(null, kid, reason, message, refusedValue);
#pragma warning restore CA1000

    /// <summary>Carries a refusal over to another value type (for checks that build on this one).</summary>
    public VerificationResult<TOther> AsRefusal<TOther>()
        where TOther : class =>
        IsAccepted
            ? throw new InvalidOperationException("an accepted result is not a refusal")
            : VerificationResult<TOther>.Refused(Reason, Message, Kid);

    public override string ToString() => IsAccepted ? $"accepted (kid {Kid})" : $"{Code}: {Message}";
}
