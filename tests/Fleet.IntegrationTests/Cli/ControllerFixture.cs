using Fleet.IntegrationTests.Controller;

namespace Fleet.IntegrationTests.Cli;

/// <summary>
/// One real controller (<see cref="RunningController"/>: the host <c>fleet-controller run</c> builds, in this
/// process) shared by the tests of a class, and the variables that point the <c>fleet</c> process at it.
/// </summary>
public sealed class ControllerFixture : IAsyncLifetime
{
    private RunningController? _controller;

    internal RunningController Controller => _controller ?? throw new InvalidOperationException("not started");

    public string Url => Controller.Options.ApiUri.GetLeftPart(UriPartial.Authority);

    public string DataDirectory => Controller.Options.DataDirectory;

    /// <summary>FLEET_CONTROLLER and FLEET_TOKEN for this controller.</summary>
    public IReadOnlyDictionary<string, string> Environment => Controller.ConsoleEnvironment;

    public async Task InitializeAsync() => _controller = await RunningController.StartAsync();

    public async Task DisposeAsync()
    {
        if (_controller is not null)
        {
            await _controller.DisposeAsync();
        }
    }
}
