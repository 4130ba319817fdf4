using System.Net;
using System.Text;
using System.Text.Json;
using Fleet.Protocol.Api;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Sim.Enrollment;

namespace Fleet.Sim.Tests.Enrollment;

public sealed class EnrollerTests
{
    [Fact]
    public async Task Enroll_PostsEachDeviceWithTheTokenAndLabels_NeverMoreAtOnceThanTheBound()
    {
        using var root = SigningKey.Generate("root-1");
        using var handler = new StubController(request => Answer(HttpStatusCode.OK, JsonSerializer.Serialize(
            new EnrollmentResponse
            {
                DeviceId = request.DeviceId,
                Broker = new BrokerCredentials { Uri = new Uri("mqtt://127.0.0.1:1883"), Username = request.DeviceId, Password = "pw" },
                Root = root.PublicKey,
                Labels = request.Labels,
            },
            ApiJsonContext.Default.EnrollmentResponse)));
        using var http = new HttpClient(handler);
        var ids = Enumerable.Range(1, 40).Select(i => $"sim-{i:D5}").ToArray();

        var outcome = await new Enroller(http, new Uri("http://127.0.0.1:9"), concurrency: 3, TimeProvider.System)
            .EnrollAsync(ids, "tok", new Dictionary<string, string> { ["site"] = "lab" }, CancellationToken.None);

        Assert.Empty(outcome.Failures);
        Assert.Equal(ids, outcome.Enrolled.Select(e => e.DeviceId));
        Assert.All(handler.Requests, r => Assert.Equal(("tok", "lab"), (r.Token, r.Labels["site"])));
        Assert.InRange(handler.MostAtOnce, 1, 3);
        Assert.Equal("/api/v1/enroll", handler.Paths.Distinct().Single());
    }

    [Fact]
    public async Task Enroll_WhenTheTokenIsRefused_ReportsTheApiErrorPerDevice_WithoutRetrying()
    {
        using var handler = new StubController(_ => Answer(HttpStatusCode.Unauthorized, """{"error":"unauthorized","message":"token used up"}"""));
        using var http = new HttpClient(handler);

        var outcome = await new Enroller(http, new Uri("http://127.0.0.1:9"), concurrency: 2, TimeProvider.System)
            .EnrollAsync(["sim-1", "sim-2"], "tok", new Dictionary<string, string>(), CancellationToken.None);

        Assert.Empty(outcome.Enrolled);
        Assert.Equal(["sim-1: 401 unauthorized: token used up", "sim-2: 401 unauthorized: token used up"], outcome.Failures);
        Assert.Equal(2, handler.Requests.Count);
    }

    private static HttpResponseMessage Answer(HttpStatusCode code, string json) =>
        new(code) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private sealed class StubController(Func<EnrollmentRequest, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private readonly Lock _gate = new();
        private int _now;

        public List<EnrollmentRequest> Requests { get; } = [];

        public List<string> Paths { get; } = [];

        public int MostAtOnce { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var enrollment = JsonSerializer.Deserialize(body, ApiJsonContext.Default.EnrollmentRequest)!;
            lock (_gate)
            {
                Requests.Add(enrollment);
                Paths.Add(request.RequestUri!.AbsolutePath);
                MostAtOnce = Math.Max(MostAtOnce, ++_now);
            }

            try
            {
                await Task.Yield();
                return answer(enrollment);
            }
            finally
            {
                lock (_gate)
                {
                    _now--;
                }
            }
        }
    }
}
