namespace Fleet.Protocol.Api;

/// <summary>
/// <c>POST /api/v1/stacks/{name}/versions</c>: one or more compose files (merged in order, as with
/// several <c>-f</c>) and an optional env file's text. The controller loads them with the shared loader;
/// refusals answer 422 <c>invalid-compose</c> with the loader's first error (file and line). A push whose
/// digest equals the latest version's answers that version (200) instead of a new one (201).
/// </summary>
public sealed record StackPushRequest
{
    public required IReadOnlyList<StackFile> Files { get; init; }

    public StackFile? EnvFile { get; init; }
}
