using System;
using System.IO;

namespace RnnGen.Runtime;

/// <summary>
/// Writes a file so that it is never seen half-written: the content goes to a temporary file beside
/// the target, is flushed to disk, and is renamed over the target. On failure the temporary file is
/// deleted and an existing file at the target is left as it was.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        string temp = target + ".tmp-" + Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
