namespace Fleet.Protocol.Messages;

/// <summary>The command kinds of protocol v1 and the error codes of their replies.</summary>
public static class CommandKinds
{
    /// <summary>Container logs of <c>args.stack</c>/<c>args.service</c>, with optional <c>tail</c> and <c>since</c>.</summary>
    public const string Logs = "logs";

    /// <summary>Restart <c>args.stack</c>/<c>args.service</c>.</summary>
    public const string Restart = "restart";

    /// <summary>Publish the status now.</summary>
    public const string Report = "report";

    /// <summary>Run a full reconcile now.</summary>
    public const string Reconcile = "reconcile";

    /// <summary>
    /// Send the journal's events in (<c>args.afterSeq</c>, <c>args.throughSeq</c>] again, acknowledged or not
    /// (a broker acknowledged them, the controller never stored them). The reply's output is a
    /// one-line summary and its <c>resend</c> field (<see cref="EventResendResult"/>) what was queued again and the oldest seq the device still holds.
    /// </summary>
    public const string ResendEvents = "resend-events";

    public const string UnknownCommandCode = "unknown-command";
    public const string MalformedCommandCode = "malformed-command";
    public const string MissingArgumentCode = "missing-argument";

    public static IReadOnlyList<string> All { get; } = [Logs, Restart, Report, Reconcile, ResendEvents];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind, StringComparer.Ordinal);

    /// <summary>Null when the command is complete for its kind, otherwise the error to reply with.</summary>
    public static ErrorDetail? Validate(DeviceCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!IsKnown(command.Kind))
        {
            return new ErrorDetail { Code = UnknownCommandCode, Message = $"unknown command kind '{command.Kind}'" };
        }

        if (command.Kind is Logs or Restart &&
            (string.IsNullOrEmpty(command.Args?.Stack) || string.IsNullOrEmpty(command.Args?.Service)))
        {
            return new ErrorDetail { Code = MissingArgumentCode, Message = $"{command.Kind} needs args.stack and args.service" };
        }

        if (command.Kind is ResendEvents && ValidateResend(command.Args) is { } resend)
        {
            return resend;
        }

        if (command.Args?.Tail is < 0)
        {
            return new ErrorDetail { Code = MalformedCommandCode, Message = "args.tail must not be negative" };
        }

        return null;
    }

    private static ErrorDetail? ValidateResend(CommandArgs? args)
    {
        if (args?.AfterSeq is not { } after)
        {
            return new ErrorDetail { Code = MissingArgumentCode, Message = $"{ResendEvents} needs args.afterSeq" };
        }

        if (after < 0 || args.ThroughSeq is { } through && through <= after)
        {
            return new ErrorDetail { Code = MalformedCommandCode, Message = "args.afterSeq must not be negative and args.throughSeq must be above it" };
        }

        return null;
    }
}
