using Fleet.Agent.Storage;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Policy;
using Fleet.Protocol.Signing;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Updates;

/// <summary>
/// The first phases of an update: received → verified → stored, or rejected. Whatever path a
/// desired state takes (retained message, redelivery, later a bundle), it passes here: the
/// signature is checked over the exact bytes before anything is parsed, then the target,
/// anti-rollback (the higher of the database's current version and the high-water-mark file) and
/// expiry. The state is stored before the mark is raised, so a crash between the two can only
/// leave a mark that is too low, which the stored version covers, never one that refuses the
/// state the device has not stored yet.
/// </summary>
public sealed partial class DesiredStateIntake(
    string dataDirectory,
    DesiredStateStore store,
    EventJournal journal,
    TrustState trust,
    DesiredStateVerifier verifier,
    DeviceIdentity device,
    ILogger<DesiredStateIntake> logger)
{
    private readonly Lock _gate = new();

    public IntakeOutcome Handle(ReadOnlySpan<byte> envelope)
    {
        lock (_gate)
        {
            var digest = DesiredStateStore.DigestOf(envelope);
            var current = store.Current;
            if (current?.Digest == digest)
            {
                return IntakeOutcome.Duplicate;
            }

            var mark = HighWaterMark.Read(dataDirectory);
            // After a lost database, the exact envelope the mark records may come back from the broker.
            var markVersion = current is null && mark.Digest == digest ? mark.Version - 1 : mark.Version;
            var rollback = AntiRollbackPolicy.FromMarks(current?.Version, markVersion > 0 ? markVersion : null);
            var result = verifier.Verify(envelope, trust.Current, device, rollback);
            if (result.Reason == RefusalReason.Duplicate)
            {
                return IntakeOutcome.Duplicate;
            }

            var version = result.Value?.Version ?? result.RefusedValue?.Version;
            journal.Append(Event(EventKinds.Received, version) with { Detail = $"{envelope.Length} bytes, key {result.Kid ?? "unknown"}" });
            if (!result.IsAccepted)
            {
                journal.Append(Event(EventKinds.Rejected, version) with { Code = result.Code, Detail = result.Message });
                LogRejected(result.Code, result.Message);
                return IntakeOutcome.Rejected;
            }

            var desired = result.Value!;
            journal.Append(Event(EventKinds.Verified, desired.Version));
            store.Accept(desired, envelope);
            HighWaterMark.Raise(dataDirectory, desired.Version, digest);
            journal.Append(Event(EventKinds.Stored, desired.Version) with { Detail = $"{desired.Stacks.Count} stack(s)" });
            LogAccepted(desired.Version, desired.Stacks.Count);
            return IntakeOutcome.Accepted;
        }
    }

    private static DeviceEvent Event(string kind, long? version) => new() { Seq = 0, Time = default, Kind = kind, Version = version };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Desired state rejected ({Code}): {Reason}")]
    private partial void LogRejected(string code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Desired state version {Version} accepted and stored ({Stacks} stacks)")]
    private partial void LogAccepted(long version, int stacks);
}
