using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Fleet.Controller.Hosting;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleet.IntegrationTests.Controller;

/// <summary>
/// The real controller (the host <c>fleet-controller run</c> builds) in this process, on free ports, with
/// its own data directory; restartable on the same directory and ports. <see cref="InitKeysAsync"/> does
/// what <c>fleet keys init</c> does with an offline root.
/// </summary>
internal sealed class RunningController : IAsyncDisposable
{
    private readonly LogSink _log = new();
    private ControllerApp? _app;

    private RunningController(ControllerOptions options) => Options = options;

    public ControllerOptions Options { get; }

    public SigningKey Root { get; } = SigningKey.Generate();

    public HttpClient Http { get; private set; } = new();

    public int MqttPort => Options.MqttPort;

    public string Log => _log.Text;

    public IServiceProvider Services => _app!.Services;

    public T Service<T>()
        where T : notnull => _app!.Services.GetRequiredService<T>();

    public static async Task<RunningController> StartAsync()
    {
        var controller = new RunningController(new ControllerOptions
        {
            DataDirectory = Directory.CreateTempSubdirectory("fleet-controller-it-").FullName,
            Urls = $"http://127.0.0.1:{FreePort.Next()}",
            MqttPort = FreePort.Next(),
            MqttBindAddress = "127.0.0.1",
            FlushMilliseconds = 50,
            CommandTimeoutSeconds = 30,
        });
        await controller.StartAppAsync();
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

    public async Task<KeysInfo> InitKeysAsync()
    {
        var keys = await GetAsync("/api/v1/keys", ApiJsonContext.Default.KeysInfo);
        var pending = keys.Pending!;
        var now = DateTimeOffset.UtcNow;
        var certificate = EnvelopeSigner.Sign(Root, ProtocolJson.Serialize(
            new KeyCertificate { Kid = pending.Kid, PublicKey = pending.PublicKey, NotBefore = now.AddMinutes(-1), NotAfter = now.AddYears(1), Serial = keys.LastSerial + 1 },
            ProtocolJsonContext.Default.KeyCertificate));
        return await PostAsync("/api/v1/keys/certificates", new KeyInstallRequest { Root = Root.PublicKey, Certificate = certificate }, ApiJsonContext.Default.KeyInstallRequest, ApiJsonContext.Default.KeysInfo);
    }

    public async Task<string> CreateTokenAsync(int uses = 1, params (string Key, string Value)[] labels)
    {
        var created = await PostAsync(
            "/api/v1/tokens",
            new TokenCreateRequest { Uses = uses, Labels = labels.ToDictionary(l => l.Key, l => l.Value) },
            ApiJsonContext.Default.TokenCreateRequest,
            ApiJsonContext.Default.TokenInfo);
        return created.Token!;
    }

    public async Task<EnrollmentResponse> EnrollAsync(string deviceId, params (string Key, string Value)[] labels)
    {
        var token = await CreateTokenAsync();
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/enroll", new EnrollmentRequest { Token = token, DeviceId = deviceId }, ApiJsonContext.Default.EnrollmentRequest);
        await ExpectAsync(response, HttpStatusCode.OK);
        var enrolled = (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.EnrollmentResponse))!;
        if (labels.Length > 0)
        {
            using var patched = await SendAsync(HttpMethod.Patch, $"/api/v1/devices/{deviceId}/labels", new LabelUpdate { Set = labels.ToDictionary(l => l.Key, l => l.Value) }, ApiJsonContext.Default.LabelUpdate);
            await ExpectAsync(patched, HttpStatusCode.OK);
        }

        return enrolled;
    }

    public async Task<StackVersionInfo> PushStackAsync(string name, string compose)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/stacks/{name}/versions", Stack(compose), ApiJsonContext.Default.StackPushRequest);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.StackVersionInfo))!;
    }

    public static StackPushRequest Stack(string compose) => new() { Files = [new StackFile { Name = "compose.yaml", Content = compose }] };

    public async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(type))!;
    }

    public async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType)
    {
        using var response = await SendAsync(HttpMethod.Post, path, body, requestType);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(responseType))!;
    }

    public Task<HttpResponseMessage> SendAsync<TRequest>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType) =>
        Http.SendAsync(new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body, requestType) });

    /// <summary>Asserts the status and, for errors, answers the ApiError body.</summary>
    public static async Task<ApiError?> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        return (int)status >= 400 ? System.Text.Json.JsonSerializer.Deserialize(text, ApiJsonContext.Default.ApiError) : null;
    }

    public async ValueTask DisposeAsync()
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
        _app = ControllerHost.Build(Options, logging => logging.AddProvider(_log).SetMinimumLevel(LogLevel.Information), out var problem)
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
