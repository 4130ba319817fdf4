using System.Net;
using System.Net.Sockets;
using System.Text;
using Fleet.Agent.Hosting;
using Fleet.Protocol.Enrollment;

namespace Fleet.Agent.Tests.Enrollment;

public sealed class EnrollmentClientTests
{
    private static readonly EnrollmentRequest Request = new() { Token = "t0k3n", DeviceId = "dev-7" };

    [Fact]
    public async Task Enroll_WhenNothingListensAtTheController_SaysItCannotReachIt()
    {
        using var http = new HttpClient();
        var controller = new Uri($"http://127.0.0.1:{UnusedPort()}");

        var result = await new EnrollmentClient(http).EnrollAsync(controller, Request, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.StartsWith($"cannot reach the controller at {controller}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_WhenTheControllerRefusesTheToken_PassesOnItsMessage()
    {
        using var controller = new OneAnswerServer(HttpStatusCode.Unauthorized, """{"error":"unauthorized","message":"token already used"}""");
        using var http = new HttpClient();

        var result = await new EnrollmentClient(http).EnrollAsync(controller.Url, Request, CancellationToken.None);

        Assert.Equal("the controller refused the enrollment token (401 unauthorized: token already used)", result.Error);
        Assert.Equal("/api/v1/enroll", await controller.RequestedPath);
        Assert.Contains("\"token\": \"t0k3n\"", await controller.RequestBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_WhenTheAnswerIsNotAnEnrollment_SaysSo()
    {
        using var controller = new OneAnswerServer(HttpStatusCode.OK, """{"deviceId":"dev-7"}""");
        using var http = new HttpClient();

        var result = await new EnrollmentClient(http).EnrollAsync(controller.Url, Request, CancellationToken.None);

        Assert.StartsWith("the controller's answer is not an enrollment", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_WhenTheControllerAnswersWithAGoodEnrollment_ReturnsIt()
    {
        using var data = new EnrollmentTestData();
        var body = Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            data.Response(), Fleet.Protocol.Api.ApiJsonContext.Default.EnrollmentResponse));
        using var controller = new OneAnswerServer(HttpStatusCode.OK, body);
        using var http = new HttpClient();

        var result = await new EnrollmentClient(http).EnrollAsync(controller.Url, Request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("dev-7", result.Value.DeviceId);
        Assert.Single(result.Value.Trust.Certificates);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A real HTTP listener on loopback that answers its first request with a fixed status and body.</summary>
    private sealed class OneAnswerServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly TaskCompletionSource<string> _path = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _body = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public OneAnswerServer(HttpStatusCode status, string body)
        {
            var port = UnusedPort();
            Url = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _ = AnswerAsync(status, body);
        }

        public Uri Url { get; }

        public Task<string> RequestedPath => _path.Task;

        public Task<string> RequestBody => _body.Task;

        public void Dispose() => _listener.Close();

        private async Task AnswerAsync(HttpStatusCode status, string body)
        {
            var context = await _listener.GetContextAsync();
            _path.SetResult(context.Request.Url!.AbsolutePath);
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                _body.SetResult(await reader.ReadToEndAsync());
            }

            context.Response.StatusCode = (int)status;
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
