using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;

namespace Fleet.Agent.Hosting;

/// <summary>The pinned root key file: PEM as an operator writes it, or the JSON document enrollment stores (it keeps the root's kid).</summary>
public static class RootKeyFile
{
    public static ParseResult<PublicKeyDocument> Load(string path)
    {
        var text = File.ReadAllText(path);
        var imported = text.TrimStart().StartsWith('{')
            ? PublicKeys.ImportJson(System.Text.Encoding.UTF8.GetBytes(text))
            : PublicKeys.ImportPem(text);
        return imported.Succeeded ? imported : ParseResult<PublicKeyDocument>.Failed($"RootKey {path}: {imported.Error}");
    }
}
