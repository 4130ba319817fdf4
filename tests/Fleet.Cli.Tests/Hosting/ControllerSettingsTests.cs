using Fleet.Cli.Hosting;

namespace Fleet.Cli.Tests.Hosting;

public sealed class ControllerSettingsTests : IDisposable
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("fleet-cli-data-");

    [Fact]
    public void Resolve_WithNothingSet_UsesTheDefaultControllerAndNoToken()
    {
        var settings = ControllerSettings.Resolve(null, null, Variables(("FLEET_CONTROLLER_DATA", _data.FullName)), out _);

        Assert.Equal(new Uri("http://127.0.0.1:8080/"), settings!.Controller);
        Assert.Null(settings.Token);
    }

    [Fact]
    public void Resolve_PrefersOptionsOverVariablesOverTheTokenFile()
    {
        File.WriteAllText(Path.Combine(_data.FullName, "operator-token"), "from-file\n");
        var variables = Variables(("FLEET_CONTROLLER", "http://ctl:9000"), ("FLEET_TOKEN", "from-env"), ("FLEET_CONTROLLER_DATA", _data.FullName));

        var fromOptions = ControllerSettings.Resolve("https://other:443/base", "from-option", variables, out _);
        var fromVariables = ControllerSettings.Resolve(null, null, variables, out _);
        var fromFile = ControllerSettings.Resolve(null, null, Variables(("FLEET_CONTROLLER_DATA", _data.FullName)), out _);

        Assert.Equal((new Uri("https://other:443/base/"), "from-option"), (fromOptions!.Controller, fromOptions.Token));
        Assert.Equal((new Uri("http://ctl:9000/"), "from-env"), (fromVariables!.Controller, fromVariables.Token));
        Assert.Equal("from-file", fromFile!.Token);
    }

    [Theory]
    [InlineData("ftp://ctl")]
    [InlineData("not a url")]
    [InlineData("/relative")]
    public void Resolve_RefusesWhatIsNotAnHttpUrl(string controller)
    {
        Assert.Null(ControllerSettings.Resolve(controller, null, Variables(), out var error));
        Assert.Contains(controller, error, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Delete(recursive: true);

    private static Func<string, string?> Variables(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;
}
