using System.Security.Cryptography;
using System.Text;
using Fleet.Controller.Broker;
using Fleet.Protocol.Topics;

namespace Fleet.Sim.Broker;

/// <summary>
/// Broker credentials for benchmarks without a controller: any valid device id (as its own user
/// name) and the controller's user name, all with one shared secret. The ACL is the controller's
/// own (<see cref="BrokerAccessPolicy"/>, applied by <see cref="EmbeddedBroker"/>), so each device is
/// still confined to its own topics. Never for anything but 127.0.0.1 scale tests.
/// </summary>
public sealed class SharedSecretCredentials(string secret) : IBrokerCredentials
{
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(secret);

    public BrokerIdentity? Authenticate(string userName, string password)
    {
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), _secret))
        {
            return null;
        }

        if (userName == CredentialTable.ControllerUserName)
        {
            return BrokerIdentity.Controller;
        }

        return DeviceId.IsValid(userName) ? BrokerIdentity.Device(userName) : null;
    }
}
