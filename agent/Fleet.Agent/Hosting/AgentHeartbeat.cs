namespace Fleet.Agent.Hosting;

/// <summary>When the agent's main loop last made progress; read by the systemd watchdog.</summary>
public sealed class AgentHeartbeat(TimeProvider timeProvider)
{
    private long _lastBeatTicks = timeProvider.GetUtcNow().UtcTicks;

    public DateTimeOffset LastBeat => new(Interlocked.Read(ref _lastBeatTicks), TimeSpan.Zero);

    public void Beat() => Interlocked.Exchange(ref _lastBeatTicks, timeProvider.GetUtcNow().UtcTicks);
}
