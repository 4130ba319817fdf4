using System.Text.Json.Serialization;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Serialization;

/// <summary>
/// The one JSON context for every protocol shape: camelCase, nulls left out, no indentation,
/// nullable annotations and required members enforced on read (a missing or null required
/// member makes the message malformed rather than half-filled).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    WriteIndented = false)]
[JsonSerializable(typeof(DesiredState))]
[JsonSerializable(typeof(DeviceStatus))]
[JsonSerializable(typeof(DeviceEvent))]
[JsonSerializable(typeof(EventBatch))]
[JsonSerializable(typeof(DeviceCommand))]
[JsonSerializable(typeof(DeviceCommandResult))]
[JsonSerializable(typeof(EventResendResult))]
[JsonSerializable(typeof(SignedEnvelope))]
[JsonSerializable(typeof(KeyCertificate))]
[JsonSerializable(typeof(RevocationList))]
[JsonSerializable(typeof(PublicKeyDocument))]
[JsonSerializable(typeof(PrivateKeyDocument))]
[JsonSerializable(typeof(TrustDocuments))]
[JsonSerializable(typeof(EnrollmentRequest))]
[JsonSerializable(typeof(EnrollmentResponse))]
[JsonSerializable(typeof(BundleManifest))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
