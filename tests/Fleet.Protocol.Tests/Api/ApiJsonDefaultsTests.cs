using System.Text.Json;
using Fleet.Protocol.Api;

namespace Fleet.Protocol.Tests.Api;

/// <summary>A request that leaves a field out gets the documented default, not null or 0.</summary>
public sealed class ApiJsonDefaultsTests
{
    [Fact]
    public void RolloutRequest_WithOnlyTheStack_TakesTheDocumentedDefaults()
    {
        var request = JsonSerializer.Deserialize("""{"stack":"web"}""", ApiJsonContext.Default.RolloutRequest)!;

        Assert.Equal(("web", "", "0", 600L), (request.Stack, request.Target, request.MaxFailures, request.WaveTimeoutSeconds));
        Assert.Equal(["100%"], request.Waves);
        Assert.Null(request.Version);
    }

    [Fact]
    public void TokenCreateRequest_Empty_IsOneUseWithNoLabels()
    {
        var request = JsonSerializer.Deserialize("{}", ApiJsonContext.Default.TokenCreateRequest)!;

        Assert.Equal(1, request.Uses);
        Assert.Empty(request.Labels);
    }

    [Fact]
    public void LabelUpdate_WithOnlySet_RemovesNothing()
    {
        var update = JsonSerializer.Deserialize("""{"set":{"a":"b"}}""", ApiJsonContext.Default.LabelUpdate)!;

        Assert.Empty(update.Remove);
    }

    [Fact]
    public void BundleRequest_WithOnlyTheStack_TargetsEveryDeviceWithNoImages()
    {
        var request = JsonSerializer.Deserialize("""{"stack":"web"}""", ApiJsonContext.Default.BundleRequest)!;

        Assert.Equal("", request.Target);
        Assert.Empty(request.Images);
    }
}
