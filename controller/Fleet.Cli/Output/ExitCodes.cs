namespace Fleet.Cli.Output;

/// <summary>The console's exit codes, as docs/console.md lists them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation failed or was refused (the controller's reason on stderr), or a rollout did not complete.</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    public const int Cancelled = 130;
}
