namespace Fleet.IntegrationTests.Controller;

/// <summary>As deploy/mosquitto/README.md sets it up on one host: the controller sends mosquitto SIGHUP (ExternalBrokerReload).</summary>
public sealed class ControllerMosquittoCredentialsWithReloadTests() : ControllerMosquittoCredentialsTests(controllerReloads: true);
