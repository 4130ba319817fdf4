using System.Net;
using System.Net.Http.Json;
using System.Text;
using Fleet.Controller.Rollouts;
using Fleet.Protocol.Api;
using LiteDB;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Rollouts;

/// <summary>The routes on a real Kestrel on a free loopback port, mapped on an <c>/api/v1</c> group as the host does.</summary>
public sealed class RolloutApiTests : IAsyncLifetime
{
    private readonly FakeFleetView _fleet = new();
    private readonly FakeDesiredStatePublisher _publisher = new();
    private WebApplication? _app;
    private HttpClient? _http;

    private HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        _fleet.AddMany(3);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(new LiteDatabase(new MemoryStream()));
        builder.Services.AddSingleton<IFleetView>(_fleet);
        builder.Services.AddSingleton<IDesiredStatePublisher>(_publisher);
        builder.Services.AddSingleton<IStackCatalog>(new FakeStackCatalog());
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(RolloutWorld.Start));
        builder.Services.AddRollouts();
        _app = builder.Build();
        _app.MapGroup("/api/v1").MapRollouts();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        await _app!.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Post_CreatesTheRollout_AndGetShowsIt()
    {
        var created = await Http.PostAsJsonAsync("/api/v1/rollouts", new RolloutRequest { Stack = "web", Waves = ["1", "100%"] }, ApiJsonContext.Default.RolloutRequest);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var info = await created.Content.ReadFromJsonAsync(ApiJsonContext.Default.RolloutInfo);
        Assert.Equal(("r1", "web", 3, RolloutStates.Running), (info!.Id, info.Stack, info.Version, info.State));
        var one = await Http.GetFromJsonAsync("/api/v1/rollouts/r1", ApiJsonContext.Default.RolloutInfo);
        Assert.Equal(["dev-00000"], one!.Waves[0].Devices);
        Assert.Equal(1, one.Waves[0].Counts.Pending);
        var all = await Http.GetFromJsonAsync("/api/v1/rollouts", ApiJsonContext.Default.IReadOnlyListRolloutInfo);
        Assert.Equal(["r1"], all!.Select(r => r.Id));
    }

    [Fact]
    public async Task Get_WithDevicesFalse_CountsEachWavesDevices_WithoutListingThem()
    {
        await Http.PostAsJsonAsync("/api/v1/rollouts", new RolloutRequest { Stack = "web", Waves = ["1", "100%"] }, ApiJsonContext.Default.RolloutRequest);

        var one = await Http.GetFromJsonAsync("/api/v1/rollouts/r1?devices=false", ApiJsonContext.Default.RolloutInfo);
        var all = await Http.GetFromJsonAsync("/api/v1/rollouts?devices=false", ApiJsonContext.Default.IReadOnlyListRolloutInfo);
        var listed = await Http.GetFromJsonAsync("/api/v1/rollouts/r1?devices=true", ApiJsonContext.Default.RolloutInfo);

        Assert.Equal([(1, 0), (2, 0)], one!.Waves.Select(w => (w.Counts.Pending, w.Devices.Count)));
        Assert.Equal([(1, 0), (2, 0)], Assert.Single(all!).Waves.Select(w => (w.Counts.Pending, w.Devices.Count)));
        Assert.Equal([(1, 1), (2, 2)], listed!.Waves.Select(w => (w.Counts.Pending, w.Devices.Count)));
    }

    [Fact]
    public async Task Post_WithOnlyTheStack_TakesTheDocumentedDefaults()
    {
        using var content = new StringContent("""{"stack":"web"}""", Encoding.UTF8, "application/json");

        var answer = await Http.PostAsync("/api/v1/rollouts", content);

        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var info = await answer.Content.ReadFromJsonAsync(ApiJsonContext.Default.RolloutInfo);
        Assert.Equal(("", "0", 600L), (info!.Target, info.MaxFailures, info.WaveTimeoutSeconds));
        Assert.Equal(["100%"], info.WavePlan);
        Assert.Equal(3, Assert.Single(info.Waves).Devices.Count);
    }

    [Fact]
    public async Task Get_ListsNewestFirst()
    {
        foreach (var version in new[] { 1, 2 })
        {
            await Http.PostAsJsonAsync("/api/v1/rollouts", new RolloutRequest { Stack = "web", Version = version }, ApiJsonContext.Default.RolloutRequest);
            await Http.PostAsync($"/api/v1/rollouts/r{version}/abort", null);
        }

        var all = await Http.GetFromJsonAsync("/api/v1/rollouts", ApiJsonContext.Default.IReadOnlyListRolloutInfo);

        Assert.Equal(["r2", "r1"], all!.Select(r => r.Id));
    }

    [Theory]
    [InlineData("""{"stack":"web","waves":["1","50%"]}""", "waves: the last wave must be 100%")]
    [InlineData("""{"stack":"web","target":"site="}""", "target: selector 'site='")]
    [InlineData("""{"waves":["100%"]}""", "body: ")]
    [InlineData("""{"stack":""", "body: ")]
    [InlineData("null", "body: ")]
    public async Task Post_ABadRequest_Answers400WithAnApiError(string body, string message)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        var answer = await Http.PostAsync("/api/v1/rollouts", content);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var error = await answer.Content.ReadFromJsonAsync(ApiJsonContext.Default.ApiError);
        Assert.Equal("invalid-request", error!.Error);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_AnUnknownStack_Answers404()
    {
        var answer = await Http.PostAsJsonAsync("/api/v1/rollouts", new RolloutRequest { Stack = "db" }, ApiJsonContext.Default.RolloutRequest);

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("not-found", (await answer.Content.ReadFromJsonAsync(ApiJsonContext.Default.ApiError))!.Error);
    }

    [Theory]
    [InlineData("GET", "/api/v1/rollouts/r7")]
    [InlineData("POST", "/api/v1/rollouts/r7/pause")]
    [InlineData("POST", "/api/v1/rollouts/r7/rollback")]
    public async Task AnUnknownRollout_Answers404WithAnApiError(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        var answer = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        var error = await answer.Content.ReadFromJsonAsync(ApiJsonContext.Default.ApiError);
        Assert.Equal(("not-found", "rollout r7 not found"), (error!.Error, error.Message));
    }

    [Fact]
    public async Task Actions_AnswerTheRollout_Or409WhenItsStateForbidsThem()
    {
        await Http.PostAsJsonAsync("/api/v1/rollouts", new RolloutRequest { Stack = "web", Waves = ["1", "100%"] }, ApiJsonContext.Default.RolloutRequest);

        var paused = await Http.PostAsync("/api/v1/rollouts/r1/pause", null);
        var again = await Http.PostAsync("/api/v1/rollouts/r1/pause", null);
        var resumed = await Http.PostAsync("/api/v1/rollouts/r1/resume", null);
        var rolledBack = await Http.PostAsync("/api/v1/rollouts/r1/rollback", null);
        var aborted = await Http.PostAsync("/api/v1/rollouts/r1/abort", null);

        var pausedInfo = await paused.Content.ReadFromJsonAsync(ApiJsonContext.Default.RolloutInfo);
        Assert.Equal((RolloutStates.Paused, RolloutMachine.PausedByOperator), (pausedInfo!.State, pausedInfo.Reason));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("conflict", (await again.Content.ReadFromJsonAsync(ApiJsonContext.Default.ApiError))!.Error);
        Assert.Equal(RolloutStates.Running, (await resumed.Content.ReadFromJsonAsync(ApiJsonContext.Default.RolloutInfo))!.State);
        Assert.Equal(RolloutStates.RolledBack, (await rolledBack.Content.ReadFromJsonAsync(ApiJsonContext.Default.RolloutInfo))!.State);
        Assert.Equal(HttpStatusCode.Conflict, aborted.StatusCode);
    }
}
