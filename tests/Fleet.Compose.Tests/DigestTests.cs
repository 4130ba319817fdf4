using System.Text;
using System.Text.Json;

namespace Fleet.Compose.Tests;

public class DigestTests
{
    private const string Compact = """
        services:
          web:
            image: busybox:1
            ports: ["8080:80"]
            environment: [A=1, B=2]
            volumes: ["data:/data:ro"]
            healthcheck: {test: "wget -q -O- localhost", interval: 90s}
            depends_on: [db]
          db: {image: busybox:2, restart: always}
        volumes: {data: {}}
        """;

    private const string Verbose = """
        x-restart: &restart
          restart: always
        volumes:
          data:
        services:
          db:
            <<: *restart
            image: "busybox:2"
          web:
            depends_on:
              db:
                condition: service_started
            healthcheck:
              interval: 1m30s
              test: ["CMD-SHELL", "wget -q -O- localhost"]
            volumes:
              - type: volume
                source: data
                target: /data
                read_only: true
            environment:
              B: "2"
              A: 1
            ports:
              - target: 80
                published: 8080
                protocol: tcp
            image: busybox:1
        """;

    [Fact]
    public void SameStack_WrittenDifferently_HasTheSameDigest()
    {
        var compact = TestLoader.Project(Compact);
        var verbose = TestLoader.Project(Verbose.Replace("x-restart", "x-anchor", StringComparison.Ordinal).Replace("&restart", "&a", StringComparison.Ordinal).Replace("*restart", "*a", StringComparison.Ordinal));

        // The x-* key itself is kept in the canonical form, so compare stacks whose only difference is style.
        var withoutExtension = TestLoader.Project(Verbose.Replace("x-restart: &restart\n  restart: always\n", "", StringComparison.Ordinal).Replace("<<: *restart", "restart: always", StringComparison.Ordinal));
        Assert.Equal(compact.Digest, withoutExtension.Digest);
        Assert.StartsWith("sha256:", compact.Digest, StringComparison.Ordinal);
        Assert.Equal(71, compact.Digest.Length);
        Assert.NotEqual(compact.Digest, verbose.Digest);
    }

    [Theory]
    [InlineData("busybox:1", "busybox:3")]
    [InlineData("A=1", "A=9")]
    [InlineData("8080:80", "8081:80")]
    [InlineData("data:/data:ro", "data:/data")]
    [InlineData("interval: 90s", "interval: 91s")]
    public void AnyChangeThatMatters_ChangesTheDigest(string from, string to)
    {
        var before = TestLoader.Project(Compact);
        var after = TestLoader.Project(Compact.Replace(from, to, StringComparison.Ordinal));

        Assert.NotEqual(before.Digest, after.Digest);
        Assert.NotEqual(before.Services["web"].ConfigHash, after.Services["web"].ConfigHash);
        Assert.Equal(before.Services["db"].ConfigHash, after.Services["db"].ConfigHash);
    }

    [Theory]
    [InlineData("    image: busybox:1\n", "    image: busybox:1\n    scale: 3\n")]
    [InlineData("    depends_on: [db]\n", "")]
    [InlineData("    image: busybox:1\n", "    image: busybox:1\n    deploy: {update_config: {order: start-first}}\n")]
    [InlineData("    image: busybox:1\n", "    image: busybox:1\n    pull_policy: always\n")]
    public void ChangesThatNeedNoRecreate_KeepTheConfigHash_ButChangeTheDigest(string from, string to)
    {
        var before = TestLoader.Project(Compact);
        var after = TestLoader.Project(Compact.Replace(from, to, StringComparison.Ordinal));

        Assert.NotEqual(before.Digest, after.Digest);
        Assert.Equal(before.Services["web"].ConfigHash, after.Services["web"].ConfigHash);
    }

    [Fact]
    public void CanonicalYaml_LoadsBackToTheSameDigest()
    {
        var project = TestLoader.Project(Verbose);

        var reloaded = TestLoader.Project(CanonicalYaml.Serialize(project));

        Assert.Equal(project.Digest, reloaded.Digest);
    }

    [Fact]
    public void CanonicalJson_HasComposeShapeAndSortedKeys()
    {
        var project = TestLoader.Project(Compact);

        using var json = JsonDocument.Parse(CanonicalJson.Serialize(project));
        var root = json.RootElement;
        Assert.Equal("test", root.GetProperty("name").GetString());
        var web = root.GetProperty("services").GetProperty("web");
        Assert.Equal("busybox:1", web.GetProperty("image").GetString());
        Assert.Equal(80, web.GetProperty("ports")[0].GetProperty("target").GetInt32());
        Assert.Equal("8080", web.GetProperty("ports")[0].GetProperty("published").GetString());
        Assert.Equal("1m30s", web.GetProperty("healthcheck").GetProperty("interval").GetString());
        AssertKeysSorted(root);
        Assert.Equal(project.Digest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(CanonicalJson.Serialize(project))));
        Assert.DoesNotContain("\n", Encoding.UTF8.GetString(CanonicalJson.Serialize(project)), StringComparison.Ordinal);
    }

    private static void AssertKeysSorted(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var names = element.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            foreach (var property in element.EnumerateObject())
            {
                AssertKeysSorted(property.Value);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                AssertKeysSorted(item);
            }
        }
    }
}
