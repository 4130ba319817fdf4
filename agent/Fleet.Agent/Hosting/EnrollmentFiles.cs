using Fleet.Agent.Storage;
using Fleet.Agent.Updates;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Agent.Hosting;

/// <summary>
/// What <c>fleet-agent enroll</c> leaves in the data directory, so that <c>fleet-agent run --data DIR</c>
/// needs nothing else: <c>enrollment.json</c> (the controller's answer, with the broker password: mode
/// 0600 from its creation), <c>root-key.json</c> (the pinned root, as JSON so its kid survives) and, for a
/// broker with a private CA, <c>broker-ca.pem</c>. Each file is written to a temporary name and renamed,
/// so a crash never leaves half an enrollment.
/// </summary>
public static class EnrollmentFiles
{
    public const string FileName = "enrollment.json";

    public const string RootKeyFileName = "root-key.json";

    public const string BrokerCaFileName = "broker-ca.pem";

    private const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode Public = Secret | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void Write(string dataDirectory, EnrollmentResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Directory.CreateDirectory(dataDirectory);
        WriteAtomically(Path.Combine(dataDirectory, RootKeyFileName), PublicKeys.ExportJson(response.Root), Public);
        var ca = Path.Combine(dataDirectory, BrokerCaFileName);
        if (response.Broker.CaCertificatePem is { Length: > 0 } pem)
        {
            WriteAtomically(ca, System.Text.Encoding.ASCII.GetBytes(pem), Public);
        }
        else
        {
            File.Delete(ca); // from an earlier enrollment against another broker
        }

        // Last: its presence is what says "enrolled".
        WriteAtomically(Path.Combine(dataDirectory, FileName), ProtocolJson.Serialize(response, ProtocolJsonContext.Default.EnrollmentResponse), Secret);
    }

    /// <summary>Null when the directory holds no enrollment; a failed result names the file and what is wrong with it.</summary>
    public static ParseResult<EnrollmentResponse>? Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var parsed = ProtocolJson.Parse(File.ReadAllBytes(path), ProtocolJsonContext.Default.EnrollmentResponse);
        return parsed.Succeeded ? parsed : ParseResult<EnrollmentResponse>.Failed($"{path}: {parsed.Error}");
    }

    /// <summary>
    /// A freshly enrolled device knows the signing keys from its enrollment before the broker's trust
    /// topic arrives, so it can verify a desired state (or a bundle) at once, offline too. Null when there
    /// was nothing to seed (trust already taken, or no enrollment).
    /// </summary>
    public static VerificationResult<TrustStore>? SeedTrust(string dataDirectory, DesiredStateStore store, TrustState trust)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(trust);
        return store.TrustDocuments is null && Read(dataDirectory) is { Succeeded: true } enrollment
            ? trust.Apply(ProtocolJson.Serialize(enrollment.Value.Trust, ProtocolJsonContext.Default.TrustDocuments))
            : null;
    }

    private static void WriteAtomically(string path, byte[] content, UnixFileMode mode)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode,
        }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
