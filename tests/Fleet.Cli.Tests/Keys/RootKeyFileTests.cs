using Fleet.Cli.Keys;
using Fleet.Protocol.Keys;

namespace Fleet.Cli.Tests.Keys;

public sealed class RootKeyFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-cli-keys-");

    [Fact]
    public void Write_CreatesTheFileReadableByItsOwnerOnly_AndReadGivesTheSameKey()
    {
        var path = Path.Combine(_dir.FullName, "root.json");
        using var key = SigningKey.Generate();

        Assert.Null(RootKeyFile.Write(path, key));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var read = RootKeyFile.Read(path);
        Assert.True(read.Succeeded, read.Error);
        using var back = read.Value;
        Assert.Equal(key.Kid, back.Kid);
        Assert.Equal(key.PublicKey.PublicKey.ToArray(), back.PublicKey.PublicKey.ToArray());
    }

    [Fact]
    public void Write_NeverOverwritesAnExistingFile()
    {
        var path = Path.Combine(_dir.FullName, "root.json");
        File.WriteAllText(path, "precious");
        using var key = SigningKey.Generate();

        var error = RootKeyFile.Write(path, key);

        Assert.Contains("is never overwritten", error, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void Read_RefusesAKeyFileOthersCanRead()
    {
        var path = Path.Combine(_dir.FullName, "root.json");
        using var key = SigningKey.Generate();
        Assert.Null(RootKeyFile.Write(path, key));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var read = RootKeyFile.Read(path);

        Assert.False(read.Succeeded);
        Assert.Equal($"{path} can be read by others than its owner; chmod 600 {path}", read.Error);
    }

    [Fact]
    public void Read_OfAFileThatIsNoKey_SaysSo()
    {
        var path = Path.Combine(_dir.FullName, "root.json");
        File.WriteAllText(path, "{}");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.StartsWith($"{path} is not a root key file", RootKeyFile.Read(path).Error, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
