using Fleet.Protocol.Api;

namespace Fleet.Controller.Rollouts;

/// <summary>The answer to a rollout request: the rollout and the HTTP status, or an error with its status.</summary>
public sealed record RolloutResult(int Status, RolloutInfo? Rollout, ApiError? Error)
{
    public static RolloutResult Ok(RolloutInfo rollout, int status = 200) => new(status, rollout, null);

    public static RolloutResult Fail(int status, string code, string message) =>
        new(status, null, new ApiError { Error = code, Message = message });
}
