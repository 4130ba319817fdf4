namespace Fleet.Controller.Broker;

/// <summary>The store of who may connect: the seam between the broker and the controller's database.</summary>
public interface IBrokerCredentials
{
    /// <summary>The identity these credentials belong to, or null when they are wrong, unknown or revoked.</summary>
    BrokerIdentity? Authenticate(string userName, string password);
}
