using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel;

/// <summary>Where a tensor's bytes live.</summary>
public enum TensorStorage
{
    /// <summary>No memory yet (before AllocateTensors, or an empty optional tensor).</summary>
    Unallocated,
    /// <summary>A slice of the interpreter's planned activation arena.</summary>
    Arena,
    /// <summary>Read-only constant data inside the (memory-mapped) model; never copied.</summary>
    ModelConstant,
    /// <summary>A constant computed once at allocate time (e.g. fp16 weights widened by a constant DEQUANTIZE).</summary>
    FoldedConstant,
    /// <summary>
    /// Shape known only at Invoke (TFLite's kTfLiteDynamic): a buffer of its own outside the arena, owned by the
    /// interpreter, sized when the producing kernel sets the shape and grown only when a larger one comes.
    /// </summary>
    Dynamic,
}

/// <summary>
/// A tensor of a running interpreter: metadata from the model, a current shape, and a pointer into the arena or
/// into the model's constant data. Typed access checks the dtype and never copies.
/// </summary>
public sealed unsafe class Tensor
{
    private int[] _shape;

    internal Tensor(int index, string name, TensorType type, int[] shape, int[] shapeSignature,
        QuantizationParameters quantization, SparsityParameters? sparsity, bool isVariable)
    {
        Index = index;
        Name = name;
        Type = type;
        _shape = shape;
        ShapeSignature = shapeSignature;
        Quantization = quantization;
        Sparsity = sparsity;
        IsVariable = isVariable;
    }

    /// <summary>Index of the tensor in the subgraph.</summary>
    public int Index { get; }
    public string Name { get; }
    public TensorType Type { get; }
    public QuantizationParameters Quantization { get; }

    /// <summary>Non-null for a sparse constant (e.g. the input of DENSIFY); its data holds only the stored values.</summary>
    public SparsityParameters? Sparsity { get; }
    public bool IsVariable { get; }

    /// <summary>The shape as written in the model, with -1 for dimensions that may vary.</summary>
    public int[] ShapeSignature { get; }

    /// <summary>Current shape (after any resize and shape propagation).</summary>
    public ReadOnlySpan<int> Shape => _shape;
    public int Rank => _shape.Length;
    public int Dim(int axis) => _shape[axis];

    public long ElementCount
    {
        get
        {
            // Saturates instead of wrapping, so a corrupt shape reads as "too large", never as small.
            long n = 1;
            foreach (int d in _shape)
            {
                if (d == 0) return 0;
                n = n > long.MaxValue / d ? long.MaxValue : n * d;
            }
            return n;
        }
    }

    public TensorStorage Storage { get; internal set; }
    public bool IsConstant => Storage is TensorStorage.ModelConstant or TensorStorage.FoldedConstant;

    /// <summary>Bytes the current shape needs (element count × element size); for a sparse tensor, the stored bytes.</summary>
    public long ByteSize { get; internal set; }

    internal byte* Data { get; set; }

    /// <summary>The stored byte length backing <see cref="Data"/>.</summary>
    internal long DataLength { get; set; }

    internal void SetShape(int[] shape) => _shape = shape;

    /// <summary>Sets the shape, reusing the current array when the rank is unchanged (no allocation at Invoke).</summary>
    internal void SetShapeInPlace(ReadOnlySpan<int> shape)
    {
        if (_shape.Length == shape.Length) shape.CopyTo(_shape);
        else _shape = shape.ToArray();
    }

    /// <summary>True when the shape is known only at Invoke (<see cref="TensorStorage.Dynamic"/>).</summary>
    public bool IsDynamic => Storage == TensorStorage.Dynamic;

    internal int[] ShapeArray => _shape;

    /// <summary>Read-only view of the raw bytes.</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            EnsureAllocated();
            return new ReadOnlySpan<byte>(Data, checked((int)DataLength));
        }
    }

    /// <summary>Writable view of the raw bytes; throws for constants.</summary>
    public Span<byte> WritableBytes
    {
        get
        {
            EnsureWritable();
            return new Span<byte>(Data, checked((int)DataLength));
        }
    }

    /// <summary>Typed read-only view. Throws <see cref="TensorAccessException"/> if <typeparamref name="T"/> does not match the dtype.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<T> Read<T>() where T : unmanaged
    {
        CheckElementType<T>();
        EnsureAllocated();
        return new ReadOnlySpan<T>(Data, checked((int)(DataLength / sizeof(T))));
    }

    /// <summary>Typed writable view. Throws for constants and for a dtype mismatch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> Write<T>() where T : unmanaged
    {
        CheckElementType<T>();
        EnsureWritable();
        return new Span<T>(Data, checked((int)(DataLength / sizeof(T))));
    }

    /// <summary>Copies <paramref name="source"/> into this tensor; the element count must match exactly.</summary>
    public void CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged
    {
        var destination = Write<T>();
        if (source.Length != destination.Length)
            throw new TensorAccessException(
                $"Tensor '{Name}' (index {Index}, shape [{string.Join(",", _shape)}], {Type.ToDisplayName()}) holds {destination.Length} elements; got {source.Length}.");
        source.CopyTo(destination);
    }

    /// <summary>Copies raw little-endian bytes into this tensor; the byte count must match exactly.</summary>
    public void CopyFromBytes(ReadOnlySpan<byte> source)
    {
        var destination = WritableBytes;
        if (source.Length != destination.Length)
            throw new TensorAccessException(
                $"Tensor '{Name}' (index {Index}, shape [{string.Join(",", _shape)}], {Type.ToDisplayName()}) needs {destination.Length} bytes; got {source.Length}.");
        source.CopyTo(destination);
    }

    public override string ToString() => $"{Name} [{string.Join(",", _shape)}] {Type.ToDisplayName()}";

    // The checks of Read/Write are a compare or two inlined into every kernel's Run (the common float32 case folded per
    // T), their messages built in methods that are never inlined: a kernel compiled optimized at its first call
    // (AggressiveOptimization) then calls no tier-0 helper on each invoke.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckElementType<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float) ? Type != TensorType.Float32 : !ElementTypeMatches<T>(Type)) ThrowElementType<T>();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowElementType<T>() =>
        throw new TensorAccessException(
            $"Tensor '{Name}' (index {Index}) is {Type.ToDisplayName()}; it cannot be accessed as {typeof(T).Name}.");

    internal static bool ElementTypeMatches<T>(TensorType type) where T : unmanaged =>
        type switch
        {
            TensorType.Float32 => typeof(T) == typeof(float),
            TensorType.Float16 => typeof(T) == typeof(Half) || typeof(T) == typeof(ushort),
            TensorType.Int32 => typeof(T) == typeof(int),
            TensorType.UInt32 => typeof(T) == typeof(uint),
            TensorType.UInt8 => typeof(T) == typeof(byte),
            TensorType.Int8 => typeof(T) == typeof(sbyte),
            TensorType.Int16 => typeof(T) == typeof(short),
            TensorType.UInt16 => typeof(T) == typeof(ushort),
            TensorType.Int64 => typeof(T) == typeof(long),
            TensorType.UInt64 => typeof(T) == typeof(ulong),
            TensorType.Float64 => typeof(T) == typeof(double),
            TensorType.Bool => typeof(T) == typeof(bool) || typeof(T) == typeof(byte),
            _ => false,
        };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureAllocated()
    {
        if (Data == null && DataLength != 0 || Storage == TensorStorage.Unallocated && ByteSize != 0) ThrowUnallocated();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureWritable()
    {
        EnsureAllocated();
        if (IsConstant) ThrowConstant();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowUnallocated() =>
        throw new InterpreterStateException($"Tensor '{Name}' (index {Index}) has no memory yet; call AllocateTensors() first.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowConstant() =>
        throw new TensorAccessException($"Tensor '{Name}' (index {Index}) is a constant and cannot be written.");
}
