using System.Text.Json.Serialization;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Messages;

namespace Fleet.Protocol.Api;

/// <summary>
/// JSON of the controller's REST API, shared by the controller and the console: camelCase, nulls left
/// out, indented (people read it with <c>--json</c>). The shapes are documented in <c>docs/api.md</c>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    WriteIndented = true)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(TokenCreateRequest))]
[JsonSerializable(typeof(TokenInfo))]
[JsonSerializable(typeof(IReadOnlyList<TokenInfo>))]
[JsonSerializable(typeof(DeviceSummary))]
[JsonSerializable(typeof(IReadOnlyList<DeviceSummary>))]
[JsonSerializable(typeof(DeviceDetail))]
[JsonSerializable(typeof(LabelUpdate))]
[JsonSerializable(typeof(StackPushRequest))]
[JsonSerializable(typeof(StackVersionInfo))]
[JsonSerializable(typeof(IReadOnlyList<StackVersionInfo>))]
[JsonSerializable(typeof(StackSummary))]
[JsonSerializable(typeof(IReadOnlyList<StackSummary>))]
[JsonSerializable(typeof(RolloutRequest))]
[JsonSerializable(typeof(RolloutInfo))]
[JsonSerializable(typeof(IReadOnlyList<RolloutInfo>))]
[JsonSerializable(typeof(LogsResponse))]
[JsonSerializable(typeof(KeysInfo))]
[JsonSerializable(typeof(KeyInstallRequest))]
[JsonSerializable(typeof(RevocationRequest))]
[JsonSerializable(typeof(BundleRequest))]
[JsonSerializable(typeof(BundleResponse))]
[JsonSerializable(typeof(EnrollmentRequest))]
[JsonSerializable(typeof(EnrollmentResponse))]
[JsonSerializable(typeof(DeviceStatus))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
