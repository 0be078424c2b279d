using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Accel;

/// <summary>
/// The bytes of a model, held without copying: a read-only memory map of a file, or a caller's pinned memory.
/// Constant tensors point straight into this memory for the model's lifetime.
/// </summary>
internal sealed unsafe class ModelMemory : IDisposable
{
    private MemoryMappedFile? _file;
    private MemoryMappedViewAccessor? _view;
    private MemoryHandle _pin;
    private bool _pointerAcquired;
    private bool _disposed;

    private ModelMemory(byte* pointer, long length)
    {
        Pointer = pointer;
        Length = length;
    }

    public byte* Pointer { get; }
    public long Length { get; }
    public bool IsMemoryMapped => _file is not null;

    public static ModelMemory MapFile(string path)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists)
                throw new ModelFileException(path, Directory.Exists(path) ? "it is a directory, not a file" : "no such file");
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ModelFileException(path, $"invalid path: {e.Message}", e);
        }
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(path, e.Message, e);
        }
        // The opened file's size: FileInfo.Length of a symbolic link is the link's own size, not the model's.
        long length = stream.Length;
        if (length == 0)
        {
            stream.Dispose();
            throw new ModelFormatException("<file>", $"'{path}' is empty (0 bytes)");
        }

        MemoryMappedFile file;
        try
        {
            file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            throw new ModelFileException(path, e.Message, e);
        }
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            var memory = new ModelMemory(pointer + view.PointerOffset, length)
            {
                _file = file,
                _view = view,
                _pointerAcquired = true,
            };
            return memory;
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    public static ModelMemory Pin(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty) throw new ModelFormatException("<buffer>", "model buffer is empty (0 bytes)");
        var pin = bytes.Pin();
        return new ModelMemory((byte*)pin.Pointer, bytes.Length) { _pin = pin };
    }

    public ReadOnlySpan<byte> Span(long offset, long length) => new(Pointer + offset, checked((int)length));

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_pointerAcquired) _view!.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _file?.Dispose();
        _pin.Dispose();
    }
}
