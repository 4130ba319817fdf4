using Fleet.Controller.Rollouts;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using JsonSerializer = System.Text.Json.JsonSerializer;
using Fleet.Compose;
using Fleet.Controller.Api;
using Fleet.Controller.Storage;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using LiteDB;
using Microsoft.AspNetCore.Http;

namespace Fleet.Controller.Stacks;

/// <summary>
/// Stacks and their immutable versions 1, 2, 3... A push is loaded with the shared compose loader (the
/// agent's own), so a stack the controller accepts is one every agent can load, and a refusal carries the
/// same first error, with file and line, that <c>fleet-agent config</c> would print.
/// </summary>
public sealed class StackStore(ControllerDatabase database, TimeProvider timeProvider) : IStackCatalog
{
    private const string Collection = "stacks";

    // Where pushed files seem to live, for the loader's paths; only file names appear in messages.
    private const string VirtualRoot = "/fleet-controller/stacks";

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<(string, int), StackVersion> _cache = new();

    /// <summary>Answers the new version (Created) or, when the digest equals the latest's, the latest (not Created).</summary>
    public ApiOutcome<(StackVersion Version, bool Created)> Push(string name, StackPushRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (StackSpec.ValidateName(name) is { } badName)
        {
            return ApiFailure.Invalid($"name: {badName}");
        }

        if (request.Files is not { Count: > 0 })
        {
            return ApiFailure.Invalid("files: at least one compose file is required");
        }

        foreach (var file in request.Files)
        {
            if (string.IsNullOrWhiteSpace(file.Name) || file.Name.Contains('/', StringComparison.Ordinal) || file.Name is "." or "..")
            {
                return ApiFailure.Invalid($"files: name '{file.Name}' must be a plain file name, e.g. compose.yaml");
            }
        }

        var directory = VirtualRoot + "/" + name;
        var loaded = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [.. request.Files.Select(f => new ComposeFile(directory + "/" + f.Name, f.Content))],
            ProjectName = name,
            WorkingDirectory = directory,
            EnvFile = request.EnvFile is { } env ? directory + "/" + env.Name : null,
            EnvFileContent = request.EnvFile?.Content,
        });
        if (loaded.Project is not { } project)
        {
            var first = loaded.Errors.FirstOrDefault()?.ToString() ?? "the stack does not load";
            return new ApiFailure(StatusCodes.Status422UnprocessableEntity, "invalid-compose", first);
        }

        var canonical = CanonicalYaml.Serialize(project);
        // One file and no env file goes to devices as written, so they interpolate it with their own
        // variables (FLEET_DEVICE_ID, labels); anything merged goes as the loader's canonical form.
        var deviceCompose = request.Files.Count == 1 && request.EnvFile is null ? request.Files[0].Content : canonical;
        lock (_gate)
        {
            var latest = Latest(name);
            if (latest is not null && latest.Digest == project.Digest)
            {
                return ApiOutcome<(StackVersion, bool)>.Success((latest, false));
            }

            var version = new StackVersion
            {
                Name = name,
                Version = (latest?.Version ?? 0) + 1,
                Digest = project.Digest,
                CreatedAt = timeProvider.GetUtcNow(),
                Services = [.. project.Services.Keys],
                Canonical = canonical,
                DeviceCompose = deviceCompose,
            };
            database.Collection(Collection).Insert(ToDocument(version));
            return ApiOutcome<(StackVersion, bool)>.Success((version, true));
        }
    }

    public IReadOnlyList<StackSummary> List()
    {
        lock (_gate)
        {
            return database.Collection(Collection).FindAll()
                .Select(FromDocument)
                .GroupBy(v => v.Name, StringComparer.Ordinal)
                .Select(g => g.MaxBy(v => v.Version)!)
                .OrderBy(v => v.Name, StringComparer.Ordinal)
                .Select(v => new StackSummary { Name = v.Name, LatestVersion = v.Version, Digest = v.Digest, UpdatedAt = v.CreatedAt })
                .ToList();
        }
    }

    /// <summary>Every version of the stack, oldest first; empty when there is no such stack.</summary>
    public IReadOnlyList<StackVersion> Versions(string name)
    {
        lock (_gate)
        {
            return Range(name).ToList();
        }
    }

    /// <summary>One version, or the latest when <paramref name="version"/> is null; null when there is none.</summary>
    public StackVersion? Get(string name, int? version)
    {
        if (version is { } number)
        {
            if (_cache.TryGetValue((name, number), out var cached))
            {
                return cached;
            }

            lock (_gate)
            {
                var document = database.Collection(Collection).FindById(Key(name, number));
                return document is null ? null : _cache.GetOrAdd((name, number), FromDocument(document));
            }
        }

        lock (_gate)
        {
            return Latest(name);
        }
    }

    /// <inheritdoc/>
    public StackVersionInfo? Find(string name, int? version) => Get(name, version)?.Info(withCompose: false);

    private StackVersion? Latest(string name) => Range(name).LastOrDefault();

    private IEnumerable<StackVersion> Range(string name) =>
        database.Collection(Collection).Find(BsonExpression.Create("_id BETWEEN @0 AND @1", Key(name, 0), Key(name, 999_999))).Select(FromDocument).OrderBy(v => v.Version);

    // Stack names cannot hold '/', and the zero-padded version keeps a stack's versions together in the _id index.
    private static string Key(string name, int version) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name}/{version:D6}");

    private static BsonDocument ToDocument(StackVersion version) => new()
    {
        ["_id"] = Key(version.Name, version.Version),
        ["name"] = version.Name,
        ["version"] = version.Version,
        ["digest"] = version.Digest,
        ["createdAt"] = version.CreatedAt.ToUnixTimeMilliseconds(),
        ["services"] = JsonSerializer.Serialize([.. version.Services], ControllerJsonContext.Default.ListString),
        ["canonical"] = version.Canonical,
        ["deviceCompose"] = version.DeviceCompose,
    };

    private static StackVersion FromDocument(BsonDocument document) => new()
    {
        Name = document["name"].AsString,
        Version = document["version"].AsInt32,
        Digest = document["digest"].AsString,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(document["createdAt"].AsInt64),
        Services = JsonSerializer.Deserialize(document["services"].AsString, ControllerJsonContext.Default.ListString) ?? [],
        Canonical = document["canonical"].AsString,
        DeviceCompose = document["deviceCompose"].AsString,
    };
}
