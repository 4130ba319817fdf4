namespace Fleet.Agent.Docker.Engine;

/// <summary>The Docker engine cannot be used: it does not answer, or it is too old.</summary>
public sealed class EngineUnavailableException : Exception
{
    public EngineUnavailableException()
    {
    }

    public EngineUnavailableException(string message)
        : base(message)
    {
    }

    public EngineUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
