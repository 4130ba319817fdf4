using System.Security.Cryptography;

namespace Fleet.Controller.Broker;

/// <summary>
/// Device broker passwords are 256-bit random secrets made at enrollment, never chosen by people,
/// so one SHA-256 is enough to store them: there is nothing to brute-force, and a slow KDF would
/// make 10,000 devices reconnecting after a broker restart cost minutes of CPU.
/// </summary>
public static class DeviceSecret
{
    public static string Create() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));

    public static bool Verify(string secret, string hash)
    {
        var actual = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));
        return hash.Length == 64 && CryptographicOperations.FixedTimeEquals(actual, Convert.FromHexString(hash));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
