using Fleet.Agent.Hosting;
using Fleet.Protocol.Keys;
using Microsoft.Extensions.Configuration;

namespace Fleet.Agent.Tests.Enrollment;

public sealed class EnrollmentFilesTests : IDisposable
{
    private const string CaPem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    private readonly TempDirectory _dir = new();
    private readonly EnrollmentTestData _data = new();

    public void Dispose()
    {
        _dir.Dispose();
        _data.Dispose();
    }

    [Fact]
    public void Write_StoresTheSecretsFileReadableByItsOwnerOnly()
    {
        EnrollmentFiles.Write(_dir.Path, _data.Response());

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Path.Combine(_dir.Path, EnrollmentFiles.FileName)));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    [Fact]
    public void Options_FromTheEnrollmentAlone_AreValidAndHoldEverythingRunNeeds()
    {
        EnrollmentFiles.Write(_dir.Path, _data.Response(CaPem));

        var options = Bind(new Dictionary<string, string?> { [nameof(AgentOptions.DataDirectory)] = _dir.Path });

        Assert.Empty(options.Validate());
        Assert.Equal("dev-7", options.DeviceId);
        Assert.Equal("mqtts://broker.local:8883/", options.Broker.Server);
        Assert.Equal("dev-7", options.Broker.Username);
        Assert.Equal("s3cret", options.Broker.Password);
        Assert.Equal(CaPem, File.ReadAllText(options.Broker.CaFile!));
        Assert.Equal("berlin", options.Labels["site"]);
        var root = PublicKeys.ImportJson(File.ReadAllBytes(options.RootKey!));
        Assert.True(root.Succeeded, root.Error);
        Assert.Equal("root-1", root.Value.Kid);
        Assert.Equal(_data.Root.PublicKey.PublicKey.ToArray(), root.Value.PublicKey.ToArray());
    }

    [Fact]
    public void Options_WhenAFlagOrVariableNamesASetting_ItWinsOverTheEnrollment()
    {
        EnrollmentFiles.Write(_dir.Path, _data.Response());

        var options = Bind(new Dictionary<string, string?>
        {
            [nameof(AgentOptions.DataDirectory)] = _dir.Path,
            ["Broker:Server"] = "mqtt://127.0.0.1:1883",
            ["DeviceId"] = "override-1",
        });

        Assert.Equal("mqtt://127.0.0.1:1883", options.Broker.Server);
        Assert.Equal("override-1", options.DeviceId);
        Assert.Equal("s3cret", options.Broker.Password);
    }

    [Fact]
    public void Options_WithNoEnrollment_StillNeedTheRootKey()
    {
        var options = Bind(new Dictionary<string, string?> { [nameof(AgentOptions.DataDirectory)] = _dir.Path });

        Assert.Contains(options.Validate(), p => p.StartsWith("RootKey:", StringComparison.Ordinal));
    }

    [Fact]
    public void Settings_WhenTheEnrollmentFileIsDamaged_FailNamingTheFile()
    {
        File.WriteAllText(Path.Combine(_dir.Path, EnrollmentFiles.FileName), "{\"deviceId\":");

        var ex = Assert.Throws<InvalidDataException>(() => EnrollmentConfigurationSource.Settings(_dir.Path));

        Assert.Contains(EnrollmentFiles.FileName, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AfterAnEnrollmentWithAPrivateCa_ReenrollingWithoutOneRemovesTheOldCa()
    {
        EnrollmentFiles.Write(_dir.Path, _data.Response(CaPem));

        EnrollmentFiles.Write(_dir.Path, _data.Response());

        Assert.False(File.Exists(Path.Combine(_dir.Path, EnrollmentFiles.BrokerCaFileName)));
        Assert.False(EnrollmentConfigurationSource.Settings(_dir.Path).ContainsKey("Broker:CaFile"));
    }

    [Fact]
    public void Check_WhenTheTrustDocumentsAreNotSignedByTheRoot_NamesTheTrustField()
    {
        using var stranger = new EnrollmentTestData();
        var response = _data.Response() with { Trust = stranger.Response().Trust };

        Assert.StartsWith("trust: ", EnrollmentClient.Check(response), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WhenTheResponseIsWhole_AcceptsIt() => Assert.Null(EnrollmentClient.Check(_data.Response()));

    // The same order as RunCommand: the enrollment source ranks below what is named explicitly.
    private static AgentOptions Bind(Dictionary<string, string?> explicitSettings)
    {
        var builder = new ConfigurationBuilder()
            .AddInMemoryCollection(explicitSettings);
        builder.Sources.Insert(0, new EnrollmentConfigurationSource(explicitSettings[nameof(AgentOptions.DataDirectory)]!));
        var options = new AgentOptions();
        builder.Build().Bind(options);
        return options;
    }
}
