using Fleet.Cli.Api;

namespace Fleet.Cli.Tests.Api;

public sealed class ApiErrorsTests
{
    [Fact]
    public void FromAnswer_404_IsTheControllersOwnMessage()
    {
        var failure = ApiErrors.FromAnswer(404, """{"error":"not-found","message":"device 'cabinet-9' is not enrolled"}""", "GET /api/v1/devices/cabinet-9", hadToken: true);

        Assert.Equal(new ApiFailure("not-found", "device 'cabinet-9' is not enrolled", 404), failure);
    }

    [Fact]
    public void FromAnswer_401_WithAToken_SaysTheTokenWasRefusedAndHowToGiveAnother()
    {
        var failure = ApiErrors.FromAnswer(401, """{"error":"unauthorized","message":"bad operator token"}""", "GET /api/v1/devices", hadToken: true);

        Assert.Equal("unauthorized", failure.Code);
        Assert.Equal($"the controller refused the operator token (bad operator token); {ApiErrors.TokenHint}", failure.Message);
    }

    [Fact]
    public void FromAnswer_401_WithoutAToken_SaysThereWasNone()
    {
        var failure = ApiErrors.FromAnswer(401, "", "GET /api/v1/devices", hadToken: false);

        Assert.Equal($"no operator token: {ApiErrors.TokenHint}", failure.Message);
    }

    [Theory]
    [InlineData(409, """{"error":"conflict","message":"rollout r-1 is completed; it cannot be paused"}""", "conflict", "rollout r-1 is completed; it cannot be paused")]
    [InlineData(422, """{"error":"invalid-compose","message":"compose.yaml:3: service web: image is required"}""", "invalid-compose", "compose.yaml:3: service web: image is required")]
    [InlineData(500, "<html>oops</html>", "bad-answer", "the controller answered 500: GET /api/v1/stacks")]
    [InlineData(404, "", "not-found", "not found: GET /api/v1/stacks")]
    public void FromAnswer_OtherStatuses_GiveOneLine(int status, string body, string code, string message)
    {
        var failure = ApiErrors.FromAnswer(status, body, "GET /api/v1/stacks", hadToken: true);

        Assert.Equal((code, message), (failure.Code, failure.Message));
        Assert.DoesNotContain('\n', failure.Message);
    }

    [Fact]
    public async Task Client_AgainstAPortWhereNothingListens_ReturnsUnreachable()
    {
        var controller = new Uri(CliRun.Unreachable());
        using var client = new FleetApiClient(controller, "token");

        var result = await client.ListDevicesAsync("site=berlin", null, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(ApiFailure.Unreachable, result.Failure.Code);
        Assert.Equal($"cannot reach the controller at {controller.GetLeftPart(UriPartial.Authority)}: Connection refused", result.Failure.Message);
    }
}
