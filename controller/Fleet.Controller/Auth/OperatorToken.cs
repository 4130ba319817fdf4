using System.Security.Cryptography;
using System.Text;

namespace Fleet.Controller.Auth;

/// <summary>
/// The operator's API token: made on first start and written to <c>DIR/operator-token</c> (mode 0600),
/// read from there on every later start. The console sends it as <c>Authorization: Bearer ...</c>.
/// </summary>
public sealed class OperatorToken
{
    public const string FileName = "operator-token";

    private readonly byte[] _hash;

    private OperatorToken(string value)
    {
        Value = value;
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    public string Value { get; }

    public static OperatorToken LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return new OperatorToken(existing);
        }

        var token = "fleet_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var writer = new StreamWriter(path, options))
        {
            writer.Write(token + "\n");
        }

        return new OperatorToken(token);
    }

    /// <summary>Checks an <c>Authorization</c> header value in constant time.</summary>
    public bool Accepts(string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _hash);
    }
}
