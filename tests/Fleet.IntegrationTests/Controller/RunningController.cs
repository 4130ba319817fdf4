using System.Net.Http.Headers;
using Fleet.Controller.Hosting;
using Fleet.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleet.IntegrationTests.Controller;

/// <summary>
/// The real controller (the host <c>fleet-controller run</c> builds) in this process, on free ports, with
/// its own data directory; restartable on the same directory and ports.
/// </summary>
internal sealed class RunningController : ControllerClient
{
    private readonly LogSink _log = new();
    private ControllerApp? _app;

    private RunningController(ControllerOptions options) => Options = options;

    public ControllerOptions Options { get; }

    public override Uri ApiUri => Options.ApiUri;

    public override int MqttPort => Options.MqttPort;

    public string Log => _log.Text;

    public IServiceProvider Services => _app!.Services;

    public T Service<T>()
        where T : notnull => _app!.Services.GetRequiredService<T>();

    public static async Task<RunningController> StartAsync(Action<ControllerOptions>? configure = null)
    {
        var controller = new RunningController(new ControllerOptions
        {
            DataDirectory = Directory.CreateTempSubdirectory("fleet-controller-it-").FullName,
            Urls = $"http://127.0.0.1:{FreePort.Next()}",
            MqttPort = FreePort.Next(),
            MqttBindAddress = "127.0.0.1",
            FlushMilliseconds = 50,
            WriteDelayMilliseconds = 100,
            HeartbeatWriteDelayMilliseconds = 100,
            CommandTimeoutSeconds = 30,
        });
        configure?.Invoke(controller.Options);
        await controller.StartAppAsync();
        return controller;
    }

    /// <summary>A started controller whose signing key the offline root has certified: ready to enroll and sign.</summary>
    public static async Task<RunningController> StartWithKeysAsync()
    {
        var controller = await StartAsync();
        await controller.InitKeysAsync();
        return controller;
    }

    /// <summary>Stops the controller (gracefully, or as if killed: no final flush) and starts it again on the same directory.</summary>
    public async Task RestartAsync()
    {
        await _app!.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Http.Dispose();
        await StartAppAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Root.Dispose();
        Directory.Delete(Options.DataDirectory, recursive: true);
    }

    private async Task StartAppAsync()
    {
        _app = ControllerHost.Build(Options, logging => logging.AddProvider(_log).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning), out var problem)
            ?? throw new InvalidOperationException(problem);
        await _app.StartAsync(CancellationToken.None);
        Http = new HttpClient { BaseAddress = Options.ApiUri };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _app.OperatorToken);
    }

    /// <summary>Keeps the controller's log for failure messages.</summary>
    private sealed class LogSink : ILoggerProvider
    {
        private readonly System.Text.StringBuilder _text = new();

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (sink._text)
                {
                    sink._text.Append(category).Append(": ").AppendLine(formatter(state, exception));
                }
            }
        }
    }
}
