using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Accel.Delegates.OpenCL;

/// <summary>How a delegate's programs were obtained so far (a snapshot).</summary>
/// <param name="FromSource">Programs compiled from OpenCL C source (clCreateProgramWithSource + clBuildProgram).</param>
/// <param name="FromCache">Programs loaded from the binary cache (clCreateProgramWithBinary), skipping compilation.</param>
/// <param name="Stored">Binaries written to the cache.</param>
/// <param name="Rejected">Cache files ignored as corrupt, truncated, mismatched or refused by the driver (each rebuilt from source).</param>
public readonly record struct OpenClProgramBuilds(int FromSource, int FromCache, int Stored, int Rejected);

/// <summary>What identifies the compiler a binary came from: any change (a driver update) is a cache miss.</summary>
internal sealed record OpenClCompilerIdentity(string Platform, string Device, string Vendor, string DriverVersion, string DeviceVersion,
    string OpenClCVersion)
{
    public static OpenClCompilerIdentity Of(OpenClDevice device) => new(device.Description.Platform, device.Description.Name, device.Vendor,
        device.Description.DriverVersion, device.Description.Version, device.Description.OpenClCVersion);
}

/// <summary>
/// Program binaries (CL_PROGRAM_BINARIES) in a folder, one file per program, keyed by SHA-256 of the compiler's identity
/// (platform, device, vendor, driver and device versions), the build options and the OpenCL C source. A file is
/// "ACLPROG1", the key, the payload's length and SHA-256, then the payload: anything that does not check out
/// (corrupt, truncated, another key) is ignored with a diagnostic and rebuilt. Writes go to a unique temporary file
/// renamed over the final name (atomic on one file system), so concurrent starts read either nothing or a whole file.
/// With no folder, every program is built from source and only the counts are kept. One per delegate; thread-safe.
/// </summary>
internal sealed class OpenClProgramCache
{
    private static readonly byte[] Magic = "ACLPROG1"u8.ToArray();
    private const int HeaderBytes = 8 + 32 + 8 + 32;

    private readonly OpenClCompilerIdentity? _identity;
    private readonly Lock _lock = new();
    private readonly List<string> _diagnostics = new();
    private int _fromSource, _fromCache, _stored, _rejected;

    /// <param name="folder">Where binaries live (created on the first store); null for no cache.</param>
    public OpenClProgramCache(string? folder, OpenClCompilerIdentity? identity)
    {
        Folder = string.IsNullOrWhiteSpace(folder) ? null : Path.GetFullPath(folder);
        _identity = identity;
    }

    public string? Folder { get; }

    public OpenClProgramBuilds Builds
    {
        get { lock (_lock) return new OpenClProgramBuilds(_fromSource, _fromCache, _stored, _rejected); }
    }

    public IReadOnlyList<string> Diagnostics
    {
        get { lock (_lock) return _diagnostics.ToArray(); }
    }

    /// <summary>The program for <paramref name="source"/> built with <paramref name="options"/>: from the cache when it holds a valid binary, else compiled (and stored).</summary>
    public nint Build(OpenClDevice device, string source, string options)
    {
        if (Folder is null || _identity is null)
        {
            var built = device.BuildProgram(source, options);
            Count(ref _fromSource);
            return built;
        }
        byte[] key = Key(_identity, options, source);
        string path = PathOf(key);
        if (Load(path, key) is { } binary)
        {
            if (device.BuildProgramFromBinary(binary, options, out string? problem) is { } loaded)
            {
                Count(ref _fromCache);
                return loaded;
            }
            Reject(path, problem!);
        }
        var program = device.BuildProgram(source, options);
        Count(ref _fromSource);
        Store(path, key, device, program);
        return program;
    }

    /// <summary>SHA-256 of every field, each length-prefixed so no two different inputs share an encoding.</summary>
    internal static byte[] Key(OpenClCompilerIdentity identity, string options, string source)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var field in new[] { "accel-opencl-program v1", identity.Platform, identity.Device, identity.Vendor, identity.DriverVersion,
                     identity.DeviceVersion, identity.OpenClCVersion, options, source })
        {
            byte[] bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }
        return hash.GetHashAndReset();
    }

    internal string PathOf(byte[] key) => Path.Combine(Folder!, Convert.ToHexStringLower(key.AsSpan(0, 16)) + ".clbin");

    /// <summary>The payload of a valid file for <paramref name="key"/>; null when absent, or (with a diagnostic) when it does not check out.</summary>
    private byte[]? Load(string path, byte[] key)
    {
        byte[] file;
        try
        {
            if (!File.Exists(path)) return null;
            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Reject(path, $"unreadable: {e.Message}");
            return null;
        }
        string? problem = Validate(file, key, out var payload);
        if (problem is null) return payload.ToArray();
        Reject(path, problem);
        return null;
    }

    /// <summary>Null when <paramref name="file"/> is a whole cache file for <paramref name="key"/>; otherwise what is wrong.</summary>
    internal static string? Validate(byte[] file, byte[] key, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (file.Length < HeaderBytes) return $"truncated: {file.Length} bytes, shorter than the {HeaderBytes}-byte header";
        var span = file.AsSpan();
        if (!span[..8].SequenceEqual(Magic)) return "not an Accel OpenCL program binary (bad magic)";
        if (!span.Slice(8, 32).SequenceEqual(key)) return "its key does not match this device, driver, options and source";
        long length = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(40, 8));
        if (length != file.Length - HeaderBytes)
            return $"truncated or padded: the header says {length} payload bytes, the file holds {file.Length - HeaderBytes}";
        payload = span[HeaderBytes..];
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(span.Slice(48, 32))) return "corrupt: the payload's SHA-256 does not match the header";
        return null;
    }

    private void Store(string path, byte[] key, OpenClDevice device, nint program)
    {
        string? temporary = null;
        try
        {
            byte[] payload = device.ProgramBinary(program);
            if (payload.Length == 0)
            {
                Diagnose($"OpenCL program cache: the driver gave no binary for {Path.GetFileName(path)}; not cached");
                return;
            }
            var file = new byte[HeaderBytes + payload.Length];
            Magic.CopyTo(file, 0);
            key.CopyTo(file, 8);
            BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(40, 8), payload.Length);
            SHA256.HashData(payload).CopyTo(file, 48);
            payload.CopyTo(file, HeaderBytes);
            Directory.CreateDirectory(Folder!);
            // A unique temporary name per writer, renamed over the final one: readers never see a partial file.
            temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temporary, file);
            File.Move(temporary, path, overwrite: true);
            temporary = null;
            Count(ref _stored);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OpenClException)
        {
            Diagnose($"OpenCL program cache: could not store {path}: {e.Message}");
        }
        finally
        {
            if (temporary is not null)
            {
                try { File.Delete(temporary); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort: a stray .tmp is never read */ }
            }
        }
    }

    private void Reject(string path, string problem)
    {
        Count(ref _rejected);
        Diagnose($"OpenCL program cache: ignored {path} ({problem}); building from source");
    }

    private void Diagnose(string message)
    {
        lock (_lock) _diagnostics.Add(message);
    }

    private void Count(ref int counter)
    {
        lock (_lock) counter++;
    }
}
