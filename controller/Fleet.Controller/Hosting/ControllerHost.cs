using System.Net;
using System.Security.Cryptography;
using Fleet.Controller.Api;
using Fleet.Controller.Auth;
using Fleet.Controller.Broker;
using Fleet.Controller.Bundles;
using Fleet.Controller.Commands;
using Fleet.Controller.Devices;
using Fleet.Controller.Enrollment;
using Fleet.Controller.Ingest;
using Fleet.Controller.Keys;
using Fleet.Controller.Metrics;
using Fleet.Controller.Mqtt;
using Fleet.Controller.Publishing;
using Fleet.Controller.Rollouts;
using Fleet.Controller.Stacks;
using Fleet.Controller.Storage;
using Fleet.Controller.Tokens;
using Fleet.Protocol.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleet.Controller.Hosting;

/// <summary>
/// Puts the controller together: the store (under its lock), the embedded broker or the link to an
/// external one, ingest, publishing, and the REST API. The same for <c>fleet-controller run</c> and for
/// tests that run the controller in-process.
/// </summary>
public static class ControllerHost
{
    /// <summary>The built controller, or one line saying why it cannot start (the options must be valid).</summary>
    public static ControllerApp? Build(ControllerOptions options, Action<ILoggingBuilder>? logging, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(options);
        var database = ControllerDatabase.Open(options.DataDirectory, out problem);
        if (database is null)
        {
            return null;
        }

        try
        {
            var token = OperatorToken.LoadOrCreate(options.DataDirectory);
            var app = Build(options, database, token, logging);
            return new ControllerApp(app, database, token.Value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            database.Dispose();
            problem = $"DataDirectory: {ex.Message}";
            return null;
        }
    }

    private static WebApplication Build(ControllerOptions options, ControllerDatabase database, OperatorToken token, Action<ILoggingBuilder>? logging)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "fleet-controller",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true));
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            // A start that fails (a port in use) is told in one line by `run`, not as a logged trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.Services.AddOpenApi();

        var services = builder.Services;
        var instance = options.InstanceId is { Length: > 0 } configured ? configured : "ctl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton(token);
        services.AddSingleton<FleetMetrics>();
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<IFleetView>(sp => sp.GetRequiredService<DeviceRegistry>());
        services.AddSingleton<TokenStore>();
        services.AddSingleton<KeyStore>();
        services.AddSingleton<StackStore>();
        services.AddSingleton<IStackCatalog>(sp => sp.GetRequiredService<StackStore>());
        services.AddSingleton(sp => sp.GetRequiredService<ControllerDatabase>().Database);
        services.AddRollouts();
        services.AddSingleton<DesiredVersionCounter>();
        services.AddSingleton<DesiredStatePublisher>();
        services.AddSingleton<IDesiredStatePublisher>(sp => sp.GetRequiredService<DesiredStatePublisher>());
        services.AddSingleton<TrustPublisher>();
        services.AddSingleton<CommandRelay>();
        services.AddSingleton<DeviceIngest>();
        services.AddSingleton<BundleSigner>();
        services.AddSingleton<CredentialTable>();
        services.AddSingleton<IBrokerCredentials>(sp => sp.GetRequiredService<CredentialTable>());
        var passwordFile = options.ExternalBrokerPasswordFile is { Length: > 0 } passwd
            ? new MosquittoPasswordFile(Path.GetFullPath(passwd), options.ExternalBrokerReload is { Length: > 0 } reload ? reload : null, TimeProvider.System)
            : null;
        if (passwordFile is not null)
        {
            services.AddSingleton(passwordFile);
        }

        services.AddSingleton(sp => new EnrollmentService(
            sp.GetRequiredService<TokenStore>(),
            sp.GetRequiredService<DeviceRegistry>(),
            sp.GetRequiredService<KeyStore>(),
            sp.GetRequiredService<CredentialTable>(),
            sp.GetRequiredService<TrustPublisher>(),
            DeviceBrokerUri(options),
            passwordFile));

        if (options.ExternalBroker is { Length: > 0 } external)
        {
            var uri = new Uri(external);
            services.AddSingleton(new MqttLinkOptions
            {
                Host = uri.Host,
                Port = uri.Port,
                UseTls = uri.Scheme == "mqtts",
                ClientId = "fleet-controller-" + instance,
                Username = options.ExternalBrokerUsername!,
                Password = options.ExternalBrokerPassword,
                InstanceId = instance,
            });
        }
        else
        {
            var secret = new ControllerSecret(DeviceSecret.Create());
            services.AddSingleton(secret);
            services.AddSingleton(new EmbeddedBrokerOptions { BindAddress = IPAddress.Parse(options.MqttBindAddress), Port = options.MqttPort });
            services.AddSingleton(sp => new RetainedMessageStore(sp.GetRequiredService<ControllerDatabase>().Database));
            services.AddSingleton<EmbeddedBroker>();
            services.AddHostedService<EmbeddedBrokerService>();
            services.AddSingleton(new MqttLinkOptions
            {
                Host = "127.0.0.1",
                Port = options.MqttPort,
                ClientId = "fleet-controller-" + instance,
                Username = CredentialTable.ControllerUserName,
                Password = secret.Value,
                InstanceId = instance,
            });
        }

        services.AddSingleton<MqttLink>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttLink>());
        services.AddHostedService<IngestFlusher>();
        services.AddHostedService(sp => new EventResender(
            sp.GetRequiredService<DeviceRegistry>(), options, sp.GetRequiredService<FleetMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<EventResender>>(),
            (id, args, token) => sp.GetRequiredService<CommandRelay>().SendAsync(id, Protocol.Messages.CommandKinds.ResendEvents, args, token)));

        var app = builder.Build();
        var link = app.Services.GetRequiredService<MqttLink>();
        var ingest = app.Services.GetRequiredService<DeviceIngest>();
        link.OnMessage(ingest.OnMessageAsync);
        if (app.Services.GetService<EmbeddedBroker>() is { } embedded)
        {
            embedded.HandDeviceTrafficTo(link.DeliverAsync);
            link.PublishInProcessThrough(embedded.TryPublishToDevice);
        }

        _ = app.Services.GetRequiredService<CommandRelay>();
        _ = app.Services.GetRequiredService<TrustPublisher>();
        var rollouts = app.Services.GetRequiredService<RolloutCoordinator>();
        app.Services.GetRequiredService<FleetMetrics>().RolloutsInProgress = () => rollouts.List().Count(r => !RolloutStates.IsFinal(r.State));

        app.UseExceptionHandler(error => error.Run(context =>
            ApiResults.Error(StatusCodes.Status500InternalServerError, "internal", "the controller failed on this request; see its log").ExecuteAsync(context)));
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/api/v1") && !path.StartsWithSegments("/api/v1/enroll") && !token.Accepts(context.Request.Headers.Authorization))
            {
                await ApiResults.Unauthorized("missing or wrong operator token (Authorization: Bearer ...)").ExecuteAsync(context);
                return;
            }

            if (path.StartsWithSegments("/api/v1") && context.Request.ContentLength > 0 && !context.Request.HasJsonContentType())
            {
                await ApiResults.Error(StatusCodes.Status415UnsupportedMediaType, "invalid-request", "body: Content-Type must be application/json").ExecuteAsync(context);
                return;
            }

            await next(context);
        });

        var api = app.MapGroup("/api/v1");
        EnrollmentEndpoints.Map(api);
        TokenEndpoints.Map(api);
        DeviceEndpoints.Map(api);
        StackEndpoints.Map(api);
        KeyEndpoints.Map(api);
        BundleEndpoints.Map(api);
        api.MapRollouts();
        api.MapFallback((HttpContext context) => ApiResults.NotFound($"no route {context.Request.Method} {context.Request.Path}"));

        app.MapGet("/healthz", () => TypedResults.Text("ok\n"));
        app.MapGet("/metrics", (FleetMetrics metrics, DeviceRegistry devices) =>
            TypedResults.Text(metrics.Render(devices.OnlineCount, devices.Count), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapOpenApi();
        return app;
    }

    /// <summary>What devices are told to connect to: BrokerUri, else the external broker, else the embedded one on the API's host.</summary>
    public static Uri DeviceBrokerUri(ControllerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BrokerUri is { Length: > 0 } configured)
        {
            return new Uri(configured);
        }

        if (options.ExternalBroker is { Length: > 0 } external)
        {
            return new Uri(external);
        }

        var host = options.ApiUri.Host;
        if (host is "0.0.0.0" or "[::]" or "+" or "*")
        {
            host = Dns.GetHostName();
        }

        return new Uri($"mqtt://{host}:{options.MqttPort}");
    }
}
