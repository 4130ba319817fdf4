using System.Collections.Concurrent;

namespace Fleet.Controller.Broker;

/// <summary>
/// The broker's view of who may connect, held in memory for the connect path (10,000 devices
/// reconnecting at once must not each hit the database) and filled from the controller's store:
/// device secrets as SHA-256 hashes (see <see cref="DeviceSecret"/>), revoked devices removed.
/// </summary>
public sealed class CredentialTable : IBrokerCredentials
{
    public const string ControllerUserName = "fleet-controller";

    private readonly ConcurrentDictionary<string, string> _deviceHashes = new(StringComparer.Ordinal);
    private volatile string? _controllerHash;

    public void SetDevice(string deviceId, string secretHash) => _deviceHashes[deviceId] = secretHash;

    public bool RemoveDevice(string deviceId) => _deviceHashes.TryRemove(deviceId, out _);

    public void SetController(string secretHash) => _controllerHash = secretHash;

    public BrokerIdentity? Authenticate(string userName, string password)
    {
        if (userName == ControllerUserName)
        {
            return _controllerHash is { } hash && DeviceSecret.Verify(password, hash) ? BrokerIdentity.Controller : null;
        }

        return _deviceHashes.TryGetValue(userName, out var deviceHash) && DeviceSecret.Verify(password, deviceHash)
            ? BrokerIdentity.Device(userName)
            : null;
    }
}
