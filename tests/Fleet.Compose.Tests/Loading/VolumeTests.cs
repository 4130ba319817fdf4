namespace Fleet.Compose.Tests.Loading;

public class VolumeTests
{
    [Fact]
    public void ShortSyntax_NamedVolumeAndRelativeBind_BecomeLongSyntax()
    {
        var volumes = TestLoader.Service("image: x\nvolumes: [\"data:/data:ro\", \"./conf:/etc/conf\", \"/tmp/cache\"]", "volumes:\n  data:\n").Volumes;

        Assert.Equal(3, volumes.Length);
        Assert.Equal(("volume", "data", "/data", true), (volumes[0].Type, volumes[0].Source, volumes[0].Target, volumes[0].ReadOnly));
        Assert.Equal(("bind", TestLoader.Directory + "/conf", "/etc/conf", false), (volumes[1].Type, volumes[1].Source, volumes[1].Target, volumes[1].ReadOnly));
        Assert.True(volumes[1].Bind!.CreateHostPath);
        Assert.Equal(("volume", null, "/tmp/cache"), (volumes[2].Type, volumes[2].Source, volumes[2].Target));
    }

    [Fact]
    public void LongSyntax_ReadsBindVolumeAndTmpfsOptions()
    {
        var volumes = TestLoader.Service("""
            image: x
            volumes:
              - type: bind
                source: /srv
                target: /srv
                read_only: true
                bind: {create_host_path: false, propagation: rshared}
              - type: volume
                source: data
                target: /data
                volume: {nocopy: true}
              - type: tmpfs
                target: /run
                tmpfs: {size: 64m, mode: 1770}
            """, "volumes:\n  data:\n").Volumes;

        Assert.Equal((false, "rshared", true), (volumes[0].Bind!.CreateHostPath, volumes[0].Bind!.Propagation, volumes[0].ReadOnly));
        Assert.True(volumes[1].Volume!.NoCopy);
        Assert.Equal((64L * 1024 * 1024, Convert.ToInt32("1770", 8)), (volumes[2].Tmpfs!.SizeBytes!.Value, volumes[2].Tmpfs!.Mode!.Value));
    }

    [Fact]
    public void UndeclaredVolume_IsAnError()
    {
        var errors = TestLoader.Errors("services:\n  web:\n    image: x\n    volumes: [\"dta:/data\"]\nvolumes:\n  data:\n");

        Assert.Contains("service web: volumes[0]: volume \"dta\" is not declared under the top-level volumes:", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"a:b:c:d\"", "expected [SOURCE:]TARGET[:MODE]")]
    [InlineData("\"./x:/y:rx\"", "invalid volume mode \"rx\"")]
    [InlineData("{type: nfs, target: /x}", "invalid type \"nfs\"")]
    [InlineData("{type: bind, target: /x}", "a bind mount needs \"source\"")]
    [InlineData("{type: tmpfs, target: /x, tmpfs: {size: lots}}", "invalid size \"lots\"")]
    public void InvalidMount_IsReported(string item, string expected)
    {
        var errors = TestLoader.Errors($"services:\n  web:\n    image: x\n    volumes:\n      - {item}\n");

        Assert.Contains(expected, errors, StringComparison.Ordinal);
    }

    [Fact]
    public void TopLevelVolume_GetsProjectPrefixUnlessNamedOrExternal()
    {
        var project = TestLoader.Project("""
            services: {web: {image: x}}
            volumes:
              plain:
              named: {name: exact}
              outside: {external: true}
            """);

        Assert.Equal(("test_plain", "exact", "outside"), (project.Volumes["plain"].Name, project.Volumes["named"].Name, project.Volumes["outside"].Name));
        Assert.True(project.Volumes["outside"].External);
    }
}
