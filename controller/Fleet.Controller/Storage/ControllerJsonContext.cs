using System.Text.Json.Serialization;
using Fleet.Protocol.Api;

namespace Fleet.Controller.Storage;

/// <summary>JSON of what the controller stores that is not already a wire record.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<StackFile>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<Fleet.Controller.Publishing.StackAssignment>))]
internal sealed partial class ControllerJsonContext : JsonSerializerContext;
