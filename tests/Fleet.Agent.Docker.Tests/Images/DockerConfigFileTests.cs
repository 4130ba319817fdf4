using System.Text;
using Fleet.Agent.Docker.Images;

namespace Fleet.Agent.Docker.Tests.Images;

public sealed class DockerConfigFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-docker-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("http://127.0.0.1:5000", "127.0.0.1:5000")]
    [InlineData("registry.example.com", "registry.example.com")]
    [InlineData("https://registry.example.com/v2/", "registry.example.com")]
    public void NormalizeRegistry_ReducesEveryCliFormToTheHost(string key, string host)
    {
        Assert.Equal(host, DockerConfigFile.NormalizeRegistry(key));
    }

    [Fact]
    public void Load_ReadsBase64LoginsKeyedByHost()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("me:pa:ss"));
        var path = Write($$"""{ "auths": { "https://index.docker.io/v1/": { "auth": "{{auth}}" }, "other.io": {} }, "credsStore": "desktop" }""");

        var credentials = DockerConfigFile.Load(path);

        var hub = Assert.Single(credentials).Value;
        Assert.Equal(("docker.io", "me", "pa:ss"), (hub.Registry, hub.Username, hub.Password));
    }

    [Fact]
    public void Load_WhenFileMissing_IsEmpty()
    {
        Assert.Empty(DockerConfigFile.Load(Path.Combine(_directory, "none.json")));
    }

    [Fact]
    public void Load_WhenFileIsNotJson_SaysWhichFile()
    {
        var path = Write("{ not json");

        var error = Assert.Throws<InvalidDataException>(() => DockerConfigFile.Load(path));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MergeCredentials_CallerWinsPerRegistry()
    {
        var merged = ImagePuller.MergeCredentials(
            [new RegistryCredentials("https://index.docker.io/v1/", "file", "a"), new RegistryCredentials("r.io", "file", "b")],
            [new RegistryCredentials("docker.io", "caller", "c")]);

        Assert.Equal("caller", merged["docker.io"].Username);
        Assert.Equal("file", merged["r.io"].Username);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_directory, "config.json");
        File.WriteAllText(path, json);
        return path;
    }
}
