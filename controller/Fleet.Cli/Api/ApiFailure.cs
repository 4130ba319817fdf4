namespace Fleet.Cli.Api;

/// <summary>
/// Why a call to the controller did not give an answer to use, already as the one line the operator
/// reads: never a stack trace. <see cref="Code"/> is the controller's <c>ApiError.error</c>, or
/// <c>unreachable</c> / <c>bad-answer</c> for what the console saw itself.
/// </summary>
internal sealed record ApiFailure(string Code, string Message, int? StatusCode = null)
{
    public const string Unreachable = "unreachable";
    public const string BadAnswer = "bad-answer";
}
