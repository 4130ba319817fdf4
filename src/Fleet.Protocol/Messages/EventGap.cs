namespace Fleet.Protocol.Messages;

/// <summary>Seqs <see cref="From"/> to <see cref="Through"/> (both included) that a reader skipped over and still hopes to get.</summary>
public readonly record struct EventGap(long From, long Through)
{
    public long Count => Through - From + 1;

    public bool Contains(long seq) => seq >= From && seq <= Through;
}
