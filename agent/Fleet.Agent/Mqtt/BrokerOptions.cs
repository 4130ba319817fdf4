namespace Fleet.Agent.Mqtt;

/// <summary>How the agent reaches its broker. Validated by <see cref="Validate"/> at start.</summary>
public sealed record BrokerOptions
{
    /// <summary><c>mqtt://host:port</c> or <c>mqtts://host:port</c>.</summary>
    public required Uri Server { get; init; }

    public required string ClientId { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>PEM file of the CA that signed the broker's certificate (mqtts only).</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM certificate and key for client-certificate authentication (mqtts only).</summary>
    public string? ClientCertificateFile { get; init; }

    public string? ClientKeyFile { get; init; }

    /// <summary>Short enough that a dead cellular link is noticed, long enough not to burn data.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>How long the broker keeps the session (and QoS 1 messages) while the device is away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public Backoff Reconnect { get; init; } = Backoff.Default;

    /// <summary>Retained presence topic: <c>online</c> on connect, <c>offline</c> as the last will.</summary>
    public string? PresenceTopic { get; init; }

    /// <summary>Topic filters subscribed with QoS 1 on every connect.</summary>
    public IReadOnlyList<string> Subscriptions { get; init; } = [];

    /// <summary>One message per problem; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Server.Scheme is not ("mqtt" or "mqtts" or "tcp"))
        {
            problems.Add($"broker: '{Server}' must be mqtt://host:port or mqtts://host:port");
        }

        if (string.IsNullOrWhiteSpace(ClientId) || ClientId.AsSpan().IndexOfAny("+#/") >= 0)
        {
            problems.Add($"broker: client id '{ClientId}' must be non-empty and hold no '+', '#' or '/'");
        }

        if (Server.Scheme != "mqtts" && (CaFile ?? ClientCertificateFile) is not null)
        {
            problems.Add("broker: a CA file or client certificate needs an mqtts:// server");
        }

        foreach (var (name, path) in new[] { ("ca file", CaFile), ("client certificate", ClientCertificateFile), ("client key", ClientKeyFile) })
        {
            if (path is not null && !File.Exists(path))
            {
                problems.Add($"broker: {name} {path} does not exist");
            }
        }

        if ((ClientCertificateFile is null) != (ClientKeyFile is null))
        {
            problems.Add("broker: a client certificate needs its key, and a key its certificate");
        }

        if (KeepAlive < TimeSpan.FromSeconds(1) || KeepAlive > TimeSpan.FromSeconds(ushort.MaxValue))
        {
            problems.Add($"broker: keep-alive {KeepAlive} must be between 1 s and 18 h");
        }

        return problems;
    }
}
