namespace Fleet.Compose.Tests.Loading;

public class MergeTests
{
    [Fact]
    public void LaterFile_OverridesScalars_MergesMaps_AppendsPorts_ReplacesMountsByTarget()
    {
        var result = TestLoader.LoadFiles([
            """
            services:
              web:
                image: web:1
                command: ["run", "--slow"]
                environment: ["A=1", "B=1"]
                labels: {keep: "yes"}
                ports: ["80:80"]
                volumes: ["./a:/data", "./logs:/logs"]
            """,
            """
            services:
              web:
                image: web:2
                command: ["run"]
                environment: {B: 2, C: 3}
                ports: ["443:443"]
                volumes: ["./b:/data"]
              extra: {image: extra}
            """,
        ]);

        var web = result.Project!.Services["web"];
        Assert.Equal("web:2", web.Image);
        Assert.Equal(["run"], web.Command!.Value.ToArray());
        Assert.Equal(("1", "2", "3"), (web.Environment["A"], web.Environment["B"], web.Environment["C"]));
        Assert.Equal("yes", web.Labels["keep"]);
        Assert.Equal([80, 443], web.Ports.Select(p => p.Target));
        Assert.Equal([TestLoader.Directory + "/b:/data", TestLoader.Directory + "/logs:/logs"], web.Volumes.Select(v => v.Source + ":" + v.Target));
        Assert.Contains("extra", result.Project.Services.Keys);
    }

    [Fact]
    public void ErrorInSecondFile_NamesThatFile()
    {
        var result = TestLoader.LoadFiles(["services:\n  web: {image: x}\n", "services:\n  web:\n    restart: bad\n"]);

        Assert.StartsWith("override1.yaml:3:14: service web: restart:", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }
}
