using Fleet.Agent.Mqtt;

namespace Fleet.Agent.Hosting;

/// <summary>The broker section of the agent's settings; empty Server means "not enrolled yet".</summary>
public sealed class BrokerSettings
{
    public string? Server { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? CaFile { get; set; }

    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    public int KeepAliveSeconds { get; set; } = 45;

    public int SessionExpiryHours { get; set; } = 24 * 7;

    /// <summary>The longest wait between two connection attempts (the backoff doubles from 1 s up to it).</summary>
    public int ReconnectMaxSeconds { get; set; } = (int)Backoff.Default.Maximum.TotalSeconds;

    public IReadOnlyList<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Server))
        {
            return [];
        }

        if (!Uri.TryCreate(Server, UriKind.Absolute, out _))
        {
            return [$"Broker:Server: '{Server}' must be mqtt://host:port or mqtts://host:port"];
        }

        var problems = ToOptions("placeholder").Validate().Select(p => p.Replace("broker: ", "Broker: ", StringComparison.Ordinal)).ToList();
        if (SessionExpiryHours is < 1 or > 24 * 365)
        {
            problems.Add($"Broker:SessionExpiryHours: {SessionExpiryHours} must be between 1 and 8760");
        }

        if (ReconnectMaxSeconds is < 1 or > 3600)
        {
            problems.Add($"Broker:ReconnectMaxSeconds: {ReconnectMaxSeconds} must be between 1 and 3600");
        }

        return problems;
    }

    public BrokerOptions ToOptions(string clientId) => new()
    {
        Server = new Uri(Server!),
        ClientId = clientId,
        Username = Username,
        Password = Password,
        CaFile = CaFile,
        ClientCertificateFile = ClientCertificateFile,
        ClientKeyFile = ClientKeyFile,
        KeepAlive = TimeSpan.FromSeconds(KeepAliveSeconds),
        SessionExpiry = TimeSpan.FromHours(SessionExpiryHours),
        Reconnect = Backoff.Default with { Maximum = TimeSpan.FromSeconds(ReconnectMaxSeconds) },
    };
}
