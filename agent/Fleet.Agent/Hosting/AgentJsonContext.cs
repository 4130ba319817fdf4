using System.Text.Json.Serialization;

namespace Fleet.Agent.Hosting;

/// <summary>The agent's own JSON shapes (the local status), source-generated for NativeAOT.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(LocalStatus))]
[JsonSerializable(typeof(Bundles.BundleImportResult))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
