using System.Formats.Tar;
using System.Text;
using Fleet.Agent.Docker.Containers;

namespace Fleet.Agent.Docker.Execute;

/// <summary>The tar stream the engine extracts at <c>/</c> of a container: one file per injected config or secret.</summary>
internal static class InjectedFileArchive
{
    public static MemoryStream Create(IEnumerable<InjectedFile> files, DateTimeOffset modified)
    {
        var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var file in files)
            {
                // The engine creates missing parent directories (e.g. /run/secrets) as it extracts.
                var entry = new PaxTarEntry(TarEntryType.RegularFile, file.Target.TrimStart('/'))
                {
                    Mode = (UnixFileMode)file.Mode,
                    Uid = file.Uid,
                    Gid = file.Gid,
                    ModificationTime = modified,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(file.Content ?? string.Empty)),
                };
                writer.WriteEntry(entry);
            }
        }

        archive.Position = 0;
        return archive;
    }
}
