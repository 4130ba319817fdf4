using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JsonSerializer = System.Text.Json.JsonSerializer;
using Fleet.Controller.Api;
using Fleet.Controller.Storage;
using Fleet.Protocol.Api;
using LiteDB;

namespace Fleet.Controller.Tokens;

/// <summary>
/// Enrollment tokens: <c>{id}.{secret}</c>, N uses, an expiry. Only the secret's SHA-256 is stored, so
/// the store never holds a usable token; <see cref="TryUse"/> checks and counts a use in one step
/// under a lock, so two devices racing for a single-use token cannot both get it.
/// </summary>
public sealed class TokenStore(ControllerDatabase database, TimeProvider timeProvider)
{
    public const int DefaultLifetimeSeconds = 24 * 3600;
    private const string Collection = "tokens";
    private readonly Lock _gate = new();

    public ApiOutcome<TokenInfo> Create(TokenCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Uses is < 1 or > 1_000_000)
        {
            return ApiFailure.Invalid($"uses: {request.Uses} must be between 1 and 1000000");
        }

        if (request.ExpiresInSeconds is < 1 or > 366L * 24 * 3600)
        {
            return ApiFailure.Invalid($"expiresInSeconds: {request.ExpiresInSeconds} must be between 1 and 31622400");
        }

        if (Labels.Validate(request.Labels, "labels") is { } invalid)
        {
            return ApiFailure.Invalid(invalid);
        }

        var now = timeProvider.GetUtcNow();
        var id = "t-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var info = new TokenInfo
        {
            Id = id,
            Labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal),
            Uses = request.Uses,
            UsesLeft = request.Uses,
            CreatedAt = now,
            ExpiresAt = now.AddSeconds(request.ExpiresInSeconds ?? DefaultLifetimeSeconds),
        };
        lock (_gate)
        {
            database.Collection(Collection).Insert(ToDocument(info, Hash(secret)));
        }

        return ApiOutcome<TokenInfo>.Success(info with { Token = id + "." + secret });
    }

    public IReadOnlyList<TokenInfo> List()
    {
        lock (_gate)
        {
            return database.Collection(Collection).FindAll().Select(FromDocument).OrderBy(t => t.CreatedAt).ToList();
        }
    }

    /// <summary>Takes one use of the token and answers its labels; refused when unknown, used up or expired.</summary>
    public ApiOutcome<TokenInfo> TryUse(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var refused = ApiFailure.Unauthorized("enrollment token is unknown, used up or expired");
        if (dot <= 0)
        {
            return refused;
        }

        lock (_gate)
        {
            var collection = database.Collection(Collection);
            var document = collection.FindById(token[..dot]);
            if (document is null || !CryptographicOperations.FixedTimeEquals(
                    Convert.FromHexString(document["hash"].AsString), SHA256.HashData(Encoding.UTF8.GetBytes(token[(dot + 1)..]))))
            {
                return refused;
            }

            var info = FromDocument(document);
            if (info.UsesLeft <= 0 || info.ExpiresAt <= timeProvider.GetUtcNow())
            {
                return refused;
            }

            document["usesLeft"] = info.UsesLeft - 1;
            collection.Update(document);
            return ApiOutcome<TokenInfo>.Success(info with { UsesLeft = info.UsesLeft - 1 });
        }
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static BsonDocument ToDocument(TokenInfo info, string hash) => new()
    {
        ["_id"] = info.Id,
        ["hash"] = hash,
        ["labels"] = JsonSerializer.Serialize(new Dictionary<string, string>(info.Labels), ControllerJsonContext.Default.DictionaryStringString),
        ["uses"] = info.Uses,
        ["usesLeft"] = info.UsesLeft,
        ["createdAt"] = info.CreatedAt.ToUnixTimeMilliseconds(),
        ["expiresAt"] = info.ExpiresAt.ToUnixTimeMilliseconds(),
    };

    private static TokenInfo FromDocument(BsonDocument document) => new()
    {
        Id = document["_id"].AsString,
        Labels = JsonSerializer.Deserialize(document["labels"].AsString, ControllerJsonContext.Default.DictionaryStringString) ?? [],
        Uses = document["uses"].AsInt32,
        UsesLeft = document["usesLeft"].AsInt32,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(document["createdAt"].AsInt64),
        ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(document["expiresAt"].AsInt64),
    };
}
