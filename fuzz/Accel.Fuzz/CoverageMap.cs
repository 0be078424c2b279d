using System.Numerics;
using System.Runtime.InteropServices;

namespace Accel.Fuzz;

/// <summary>
/// The edge-coverage map SharpFuzz's instrumentation writes (AFL's layout: 64 KiB of hit counters indexed by
/// previous-branch ⊕ current-branch), owned in process. After each execution <see cref="CollectNew"/> buckets the
/// counts the way AFL does (1, 2, 3, 4–7, 8–15, 16–31, 32–127, 128+), reports whether any edge reached a bucket not
/// seen before, and clears the map. In an uninstrumented build the map stays zero and every input is "old".
/// </summary>
internal sealed unsafe class CoverageMap
{
    public const int Size = 1 << 16;

    // One map per process, never freed: instrumented code writes through Trace.SharedMem on every branch, from the
    // first instrumented method that runs, so it must point at valid memory for the life of the process.
    private static readonly nint ProcessMap = AttachProcessMap();

    private readonly byte* _map = (byte*)ProcessMap;
    private readonly byte[] _seen = new byte[Size];

    public CoverageMap()
    {
        new Span<byte>(_map, Size).Clear();
        SharpFuzz.Common.Trace.PrevLocation = 0;
    }

    private static nint AttachProcessMap()
    {
        byte* map = (byte*)NativeMemory.AllocZeroed(Size);
        SharpFuzz.Common.Trace.SharedMem = map;
        return (nint)map;
    }

    /// <summary>Edges (map entries) ever hit.</summary>
    public int EdgesSeen { get; private set; }

    /// <summary>Whether any execution so far wrote to the map (false: the assemblies are not instrumented).</summary>
    public bool Instrumented { get; private set; }

    /// <summary>True when the last execution reached a new edge or a new hit-count bucket; clears the map.</summary>
    public bool CollectNew()
    {
        bool isNew = false;
        var map = new Span<byte>(_map, Size);
        for (int i = 0; i < Size; i += Vector<byte>.Count)
        {
            if (new Vector<byte>(map[i..]) == Vector<byte>.Zero) continue;
            for (int k = i; k < i + Vector<byte>.Count; k++)
            {
                if (map[k] == 0) continue;
                byte bucket = Bucket(map[k]);
                if ((_seen[k] & bucket) == 0)
                {
                    if (_seen[k] == 0) EdgesSeen++;
                    _seen[k] |= bucket;
                    isNew = true;
                }
            }
        }
        if (isNew) Instrumented = true;
        map.Clear();
        SharpFuzz.Common.Trace.PrevLocation = 0;
        return isNew;
    }

    private static byte Bucket(byte hits) => hits switch
    {
        1 => 1,
        2 => 2,
        3 => 4,
        < 8 => 8,
        < 16 => 16,
        < 32 => 32,
        < 128 => 64,
        _ => 128,
    };
}
