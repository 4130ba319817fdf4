namespace Fleet.Agent.Storage;

/// <summary>Small files beside the database that must survive its loss, written so that a crash leaves the old content or the new, never half.</summary>
internal static class AtomicFile
{
    /// <summary>Writes a temporary file, flushes it to disk, and renames it over <paramref name="path"/>.</summary>
    public static void WriteAllText(string path, string text)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
