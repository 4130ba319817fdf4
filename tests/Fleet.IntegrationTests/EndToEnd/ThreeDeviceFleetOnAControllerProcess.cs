using Fleet.IntegrationTests.Controller;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>Three devices against the <c>fleet-controller</c> executable, which a test can kill and start again.</summary>
public sealed class ThreeDeviceFleetOnAControllerProcess : ThreeDeviceFleet
{
    public ThreeDeviceFleetOnAControllerProcess()
        : base(async () => await ControllerProcess.StartWithKeysAsync())
    {
    }

    internal ControllerProcess Process => (ControllerProcess)Controller;
}
