using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;

namespace Fleet.Cli.Keys;

/// <summary>
/// The operator's root key file (the JSON of <see cref="SigningKey.ExportJson"/>): created mode 0600 and
/// never over an existing file, and read only when no one but its owner can read it, as ssh treats keys.
/// </summary>
internal static class RootKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Null when written, otherwise why not (the file exists, the directory is not writable).</summary>
    public static string? Write(string path, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using var file = new FileStream(path, options);
            file.Write(key.ExportJson());
            file.Flush(flushToDisk: true);
            return null;
        }
        catch (IOException) when (File.Exists(path))
        {
            return $"{path} exists; a root key is never overwritten (move it away or pick another --out)";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot write {path}: {ex.Message}";
        }
    }

    public static ParseResult<SigningKey> Read(string path)
    {
        try
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
            {
                return ParseResult<SigningKey>.Failed($"{path} can be read by others than its owner; chmod 600 {path}");
            }

            var key = SigningKey.ImportJson(File.ReadAllBytes(path));
            return key.Succeeded ? key : ParseResult<SigningKey>.Failed($"{path} is not a root key file: {key.Error}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ParseResult<SigningKey>.Failed($"cannot read {path}: {ex.Message}");
        }
    }
}
