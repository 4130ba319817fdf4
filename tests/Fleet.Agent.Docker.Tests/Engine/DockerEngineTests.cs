using Fleet.Agent.Docker.Engine;

namespace Fleet.Agent.Docker.Tests.Engine;

public sealed class DockerEngineTests
{
    private static readonly Uri Endpoint = new("unix:///var/run/docker.sock");

    [Theory]
    [InlineData("1.41", "1.41")]
    [InlineData("1.45", "1.45")]
    [InlineData("1.47", "1.47")]
    [InlineData("1.52", "1.47")]
    public void Negotiate_PinsTheNewestVersionBothSpeak(string engine, string pinned)
    {
        Assert.Equal(Version.Parse(pinned), DockerEngine.Negotiate(engine, Endpoint));
    }

    [Theory]
    [InlineData("1.40")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("one")]
    public void Negotiate_RefusesEnginesTooOldOrUnreadable(string? engine)
    {
        var error = Assert.Throws<EngineUnavailableException>(() => DockerEngine.Negotiate(engine, Endpoint));

        Assert.Contains(Endpoint.ToString(), error.Message, StringComparison.Ordinal);
    }
}
