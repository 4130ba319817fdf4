using System.Diagnostics.CodeAnalysis;

namespace Fleet.Cli.Api;

/// <summary>The answer of one REST call: a value (with the HTTP status it came with) or an <see cref="ApiFailure"/>.</summary>
internal sealed record ApiResult<T>
    where T : class
{
    private ApiResult(T? value, int statusCode, ApiFailure? failure)
    {
        Value = value;
        StatusCode = statusCode;
        Failure = failure;
    }

    public T? Value { get; }

    public int StatusCode { get; }

    public ApiFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

#pragma warning disable CA1000 // factories on the generic type read best at the call site
    public static ApiResult<T> Success(T value, int statusCode) => new(value, statusCode, null);

    public static ApiResult<T> Failed(ApiFailure failure) => new(null, failure.StatusCode ?? 0, failure);
#pragma warning restore CA1000
}
