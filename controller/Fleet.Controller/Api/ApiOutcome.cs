namespace Fleet.Controller.Api;

/// <summary>A value, or the failure that stands in for it.</summary>
public sealed record ApiOutcome<T>
{
    private ApiOutcome(T? value, ApiFailure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public ApiFailure? Failure { get; }

    public bool Succeeded => Failure is null;

#pragma warning disable CA1000 // factories on the generic type read best at the call site
    public static ApiOutcome<T> Success(T value) => new(value, null);

    public static ApiOutcome<T> Fail(ApiFailure failure) => new(default, failure);
#pragma warning restore CA1000

    public static implicit operator ApiOutcome<T>(ApiFailure failure) => Fail(failure);
}
