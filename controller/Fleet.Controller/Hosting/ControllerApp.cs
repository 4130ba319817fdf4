using Fleet.Controller.Storage;
using Microsoft.AspNetCore.Builder;

namespace Fleet.Controller.Hosting;

/// <summary>A built controller: the web application (REST API, broker, ingest) and the database it owns.</summary>
public sealed class ControllerApp : IAsyncDisposable
{
    private readonly ControllerDatabase _database;

    internal ControllerApp(WebApplication web, ControllerDatabase database, string operatorToken)
    {
        Web = web;
        _database = database;
        OperatorToken = operatorToken;
    }

    public WebApplication Web { get; }

    public string OperatorToken { get; }

    public IServiceProvider Services => Web.Services;

    public Task StartAsync(CancellationToken cancellationToken) => Web.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Web.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Web.DisposeAsync();
        _database.Dispose();
    }
}
