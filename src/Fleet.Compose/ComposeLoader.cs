namespace Fleet.Compose;

/// <summary>Reads compose files into one normalized <see cref="Model.ComposeProject"/>, or says precisely what is wrong.</summary>
public static class ComposeLoader
{
    public static ComposeLoadResult Load(ComposeLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ComposeLoadResult
        {
            Diagnostics = [new ComposeDiagnostic { Message = "the compose loader is not implemented yet" }],
        };
    }
}
