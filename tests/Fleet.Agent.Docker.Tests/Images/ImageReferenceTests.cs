using Fleet.Agent.Docker.Images;

namespace Fleet.Agent.Docker.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io", "busybox", "latest")]
    [InlineData("library/busybox:1.36", "docker.io", "library/busybox", "1.36")]
    [InlineData("127.0.0.1:5000/team/app:v2", "127.0.0.1:5000", "127.0.0.1:5000/team/app", "v2")]
    [InlineData("registry.example.com/app", "registry.example.com", "registry.example.com/app", "latest")]
    [InlineData("localhost/app:dev", "localhost", "localhost/app", "dev")]
    [InlineData("host:5000/app", "host:5000", "host:5000/app", "latest")]
    [InlineData("app@sha256:abc", "docker.io", "app", "sha256:abc")]
    public void Parse_SplitsRegistryRepositoryAndTag(string reference, string registry, string repository, string tag)
    {
        var parsed = ImageReference.Parse(reference);

        Assert.Equal((registry, repository, tag), (parsed.Registry, parsed.Repository, parsed.Tag));
    }
}
