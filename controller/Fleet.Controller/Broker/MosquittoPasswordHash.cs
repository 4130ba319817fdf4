using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Controller.Broker;

/// <summary>
/// mosquitto 2's password hash, as <c>mosquitto_passwd</c> writes it: <c>$7$iterations$salt$hash</c>,
/// PBKDF2-HMAC-SHA512 over the UTF-8 secret with a random 12-byte salt, a 64-byte result, both in
/// padded base64. 101 iterations is mosquitto_passwd's own default; the secrets are 256-bit random
/// values (<see cref="DeviceSecret"/>), so the KDF's cost buys nothing and would slow every connect.
/// </summary>
public static class MosquittoPasswordHash
{
    public const int Iterations = 101;
    private const int SaltBytes = 12;
    private const int HashBytes = 64;

    public static string Create(string secret) => Create(secret, RandomNumberGenerator.GetBytes(SaltBytes), Iterations);

    public static string Create(string secret, byte[] salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA512, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"$7${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>Whether <paramref name="secret"/> matches a <c>$7$</c> hash (from mosquitto_passwd or <see cref="Create(string)"/>).</summary>
    public static bool Verify(string secret, string encoded)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(encoded);
        var parts = encoded.Split('$');
        if (parts is not ["", "7", var rounds, var saltText, var hashText]
            || !int.TryParse(rounds, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(saltText);
            var expected = Convert.FromBase64String(hashText);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
            return expected.Length == HashBytes && CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
