using System.IO.MemoryMappedFiles;

namespace Accel.Delegates.Hexagon.Transport;

/// <summary>
/// A file in /dev/shm mapped by the host; the DSP maps the same file (openat + mmap MAP_SHARED under qemu-hexagon), so
/// tensors written by one side are seen by the other with no copy. The file is unlinked as soon as the DSP has mapped
/// it (both mappings stay valid), so a crashed process leaves no file behind.
/// </summary>
internal sealed unsafe class SharedMemoryFile : IDspMemory
{
    /// <summary>Every file this class creates starts with this name (tests look for leaks with it).</summary>
    public const string NamePrefix = "accel-hexagon-";

    public const string Directory = "/dev/shm";

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;

    private SharedMemoryFile(string path, long length, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* pointer)
    {
        Path = path;
        Length = length;
        _file = file;
        _view = view;
        _pointer = pointer;
    }

    public string Path { get; }

    public long Length { get; }

    public static SharedMemoryFile Create(long bytes)
    {
        if (bytes <= 0 || bytes > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "shared memory must be 1 byte to 2 GiB (the DSP addresses it with 32-bit offsets)");
        string path = System.IO.Path.Combine(Directory, $"{NamePrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        MemoryMappedFile? file = null;
        try
        {
            stream.SetLength(bytes);
            file = MemoryMappedFile.CreateFromFile(stream, null, bytes, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            var view = file.CreateViewAccessor(0, bytes, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new SharedMemoryFile(path, bytes, file, view, pointer + view.PointerOffset);
        }
        catch
        {
            if (file is null) stream.Dispose();
            file?.Dispose();
            File.Delete(path);
            throw;
        }
    }

    public Span<byte> Bytes(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        if (offset < 0 || length < 0 || offset + length > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes [{offset}, {offset + length}) are outside the {Length}-byte shared memory");
        return new Span<byte>(_pointer + offset, length);
    }

    /// <summary>Removes the file's name (the mappings stay); called once the DSP has mapped it.</summary>
    public void Unlink() => File.Delete(Path);

    public void Dispose()
    {
        if (_pointer == null) return;
        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
        File.Delete(Path);
    }
}
