using Fleet.Cli.Stacks;

namespace Fleet.Cli.Tests.Stacks;

public sealed class LocalStackTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-cli-stack-");

    [Fact]
    public void Read_AValidStack_UploadsTheFilesAndTheEnvFileBesideThem()
    {
        var compose = Write("compose.yaml", "services:\n  web:\n    image: busybox:${TAG}\n");
        Write(".env", "TAG=1.36\n");

        var stack = LocalStack.Read("web", [compose], envFile: null);

        Assert.True(stack.Loaded.Succeeded, string.Join('\n', stack.Loaded.Diagnostics));
        Assert.Equal("busybox:1.36", stack.Loaded.Project!.Services["web"].Image);
        Assert.Equal("compose.yaml", Assert.Single(stack.Request.Files).Name);
        Assert.Equal("TAG=1.36\n", stack.Request.EnvFile!.Content);
    }

    [Fact]
    public void Read_AnInvalidStack_GivesTheLoadersErrorWithFileAndLine()
    {
        var compose = Write("compose.yaml", "services:\n  web:\n    image: busybox\n    ports:\n      - \"eighty\"\n");

        var stack = LocalStack.Read("web", [compose], envFile: null);

        Assert.False(stack.Loaded.Succeeded);
        Assert.StartsWith("compose.yaml:5:", stack.Loaded.Errors.First().ToString(), StringComparison.Ordinal);
        Assert.Null(stack.Request.EnvFile);
    }

    [Fact]
    public void Read_DoesNotTakeTheOperatorsEnvironment_WhichDevicesNeverSee()
    {
        var compose = Write("compose.yaml", "services:\n  web:\n    image: busybox:${PATH:-none}\n");

        var stack = LocalStack.Read("web", [compose], envFile: null);

        Assert.Equal("busybox:none", stack.Loaded.Project!.Services["web"].Image);
    }

    [Fact]
    public void Read_SeveralFiles_MergesThemInOrderAndSendsEach()
    {
        var first = Write("compose.yaml", "services:\n  web:\n    image: busybox:1\n");
        var second = Write("compose.prod.yaml", "services:\n  web:\n    image: busybox:2\n");
        var env = Write("prod.env", "A=1\n");

        var stack = LocalStack.Read("web", [first, second], env);

        Assert.Equal("busybox:2", stack.Loaded.Project!.Services["web"].Image);
        Assert.Equal(["compose.yaml", "compose.prod.yaml"], stack.Request.Files.Select(f => f.Name));
        Assert.Equal("prod.env", stack.Request.EnvFile!.Name);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
