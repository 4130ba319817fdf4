namespace Fleet.Compose.Tests.Loading;

public class PortTests
{
    [Theory]
    [InlineData("80", 80, null, null, "tcp")]
    [InlineData("8080:80", 80, "8080", null, "tcp")]
    [InlineData("8080:80/udp", 80, "8080", null, "udp")]
    [InlineData("127.0.0.1:8080:80", 80, "8080", "127.0.0.1", "tcp")]
    [InlineData("127.0.0.1::80", 80, null, "127.0.0.1", "tcp")]
    [InlineData("[::1]:8080:80", 80, "8080", "::1", "tcp")]
    [InlineData("8000-8010:80", 80, "8000-8010", null, "tcp")]
    [InlineData("5353:53/sctp", 53, "5353", null, "sctp")]
    public void ShortSyntax_BecomesLongSyntax(string text, int target, string? published, string? hostIp, string protocol)
    {
        var port = Assert.Single(TestLoader.Service($"image: x\nports: [\"{text}\"]").Ports);

        Assert.Equal((target, published, hostIp, protocol, "ingress"), (port.Target, port.Published, port.HostIp, port.Protocol, port.Mode));
    }

    [Fact]
    public void ShortSyntax_TargetRange_GivesOnePortPerTarget()
    {
        var ports = TestLoader.Service("image: x\nports: [\"9000-9002:8000-8002\"]").Ports;

        Assert.Equal(["9000:8000", "9001:8001", "9002:8002"], ports.Select(p => $"{p.Published}:{p.Target}"));
    }

    [Fact]
    public void LongSyntax_KeepsEveryField()
    {
        var port = Assert.Single(TestLoader.Service("""
            image: x
            ports:
              - target: 80
                published: "8080"
                host_ip: 10.0.0.1
                protocol: udp
                mode: host
                name: web
            """).Ports);

        Assert.Equal((80, "8080", "10.0.0.1", "udp", "host", "web"), (port.Target, port.Published, port.HostIp, port.Protocol, port.Mode, port.Name));
    }

    [Theory]
    [InlineData("\"80800:80\"", "ports[0]: invalid port \"80800\": must be 1-65535")]
    [InlineData("\"80:0\"", "invalid port \"0\": must be 1-65535")]
    [InlineData("\"80/icmp\"", "invalid protocol \"icmp\"")]
    [InlineData("\"80-81:90-92\"", "must be the same length")]
    [InlineData("{target: 70000}", "ports[0].target: invalid port \"70000\"")]
    [InlineData("{published: 80}", "needs \"target\"")]
    [InlineData("{target: 80, mode: bridge}", "invalid mode \"bridge\"")]
    public void InvalidPort_IsReportedWithServiceAndField(string item, string expected)
    {
        var errors = TestLoader.Errors($"services:\n  web:\n    image: x\n    ports:\n      - {item}\n");

        Assert.Contains("compose.yaml:5:", errors, StringComparison.Ordinal);
        Assert.Contains("service web: ", errors, StringComparison.Ordinal);
        Assert.Contains(expected, errors, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidPort_OneLineNamesFileLineColumnServiceField()
    {
        var result = TestLoader.Load("services:\n  web:\n    image: x\n    ports:\n      - \"80800:80\"\n");

        Assert.Equal("compose.yaml:5:9: service web: ports[0]: invalid port \"80800\": must be 1-65535", Assert.Single(result.Errors).ToString());
    }
}
