using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;

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
