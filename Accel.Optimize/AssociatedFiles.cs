using System.IO.Compression;

namespace Accel.Optimize;

/// <summary>
/// TFLite Support's associated files (label maps, vocabularies) travel as a zip appended to the .tflite, after the
/// flatbuffer; the metadata names them. A rewritten model is a new flatbuffer, so the zip is rebuilt after it: the
/// same entries, in the same order, with offsets that count from the new file's start (as Python's zipfile writes them
/// in append mode, which is how the metadata populator adds them).
/// </summary>
internal static class AssociatedFiles
{
    /// <summary>The largest associated file carried over, uncompressed.</summary>
    public const long MaxEntryBytes = 64L << 20;

    /// <summary>The most associated-file bytes carried over in all.</summary>
    public const long MaxTotalBytes = 256L << 20;

    /// <summary>
    /// <paramref name="optimized"/> with the original's associated files appended when the original has TFLite Support
    /// metadata and a zip after its flatbuffer; otherwise <paramref name="optimized"/> itself. A zip that cannot be read
    /// or is too large is left behind with a note saying so.
    /// </summary>
    public static byte[] CarryOver(Model original, byte[] optimized, List<string> notes)
    {
        if (!original.TryGetMetadata(SupportMetadata.MetadataName, out _)) return optimized;
        if (original.SizeInBytes > int.MaxValue)
        {
            notes.Add($"associated files not carried over: the model is {original.SizeInBytes:N0} bytes (read up to 2 GiB)");
            return optimized;
        }
        List<(string Name, byte[] Data)> entries;
        try
        {
            entries = Read(original);
        }
        catch (InvalidDataException)
        {
            return optimized; // metadata without an appended zip: nothing to carry
        }
        catch (AssociatedFilesTooLargeException e)
        {
            notes.Add($"associated files not carried over: {e.Message}");
            return optimized;
        }
        catch (IOException e)
        {
            notes.Add($"associated files not carried over: the appended zip cannot be read ({e.Message})");
            return optimized;
        }
        if (entries.Count == 0) return optimized;
        using var stream = new MemoryStream((int)Math.Min(Array.MaxLength, optimized.Length + entries.Sum(e => (long)e.Data.Length)));
        stream.Write(optimized);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                entry.Write(data);
            }
        return stream.ToArray();
    }

    private static unsafe List<(string Name, byte[] Data)> Read(Model original)
    {
        var file = original.GetFileBytes();
        var entries = new List<(string, byte[])>();
        long total = 0;
        fixed (byte* p = file)
        {
            // The zip's central directory sits at the end of the file, so ZipArchive reads it in place over the whole model.
            using var stream = new UnmanagedMemoryStream(p, file.Length);
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                if (entry.Length > MaxEntryBytes)
                    throw new AssociatedFilesTooLargeException($"'{entry.FullName}' declares {entry.Length:N0} bytes, more than {MaxEntryBytes:N0}");
                using var data = entry.Open();
                using var copy = new MemoryStream();
                var chunk = new byte[81920];
                int n;
                // Bounded: a damaged entry may inflate to more than it declares.
                while ((n = data.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (copy.Length + n > MaxEntryBytes || total + copy.Length + n > MaxTotalBytes)
                        throw new AssociatedFilesTooLargeException($"'{entry.FullName}' inflates past the limit ({MaxEntryBytes:N0} bytes a file, {MaxTotalBytes:N0} in all)");
                    copy.Write(chunk, 0, n);
                }
                total += copy.Length;
                entries.Add((entry.FullName, copy.ToArray()));
            }
        }
        return entries;
    }

    private sealed class AssociatedFilesTooLargeException(string message) : Exception(message);
}
