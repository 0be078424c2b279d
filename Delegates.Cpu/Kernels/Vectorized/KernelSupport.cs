using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>Support checks shared by the element-wise and data-movement kernels (each failure is a reason, never a throw).</summary>
internal static class NodeChecks
{
    /// <summary>Null when the node has exactly the given arity and every tensor is float32; otherwise why not.</summary>
    public static string? Float32Arity(DelegateNode node, int minInputs, int maxInputs, int outputs)
    {
        if (node.Inputs.Count < minInputs || node.Inputs.Count > maxInputs)
            return $"{node.Code.Name} expects {minInputs}..{maxInputs} inputs, has {node.Inputs.Count}";
        if (node.Outputs.Count != outputs) return $"{node.Code.Name} expects {outputs} outputs, has {node.Outputs.Count}";
        for (int i = 0; i < minInputs; i++)
        {
            var t = node.Inputs[i];
            if (t is null) return $"input {i} is omitted";
            if (t.Type != TensorType.Float32) return $"input {i} '{t.Name}' is {t.Type.ToDisplayName()}; only float32 is supported";
        }
        foreach (var t in node.Outputs)
            if (t.Type != TensorType.Float32) return $"output '{t.Name}' is {t.Type.ToDisplayName()}; only float32 is supported";
        return null;
    }

    /// <summary>Null when the two tensors hold the same number of elements; otherwise why not.</summary>
    public static string? SameElementCount(Tensor a, Tensor b) =>
        a.ElementCount == b.ElementCount ? null
            : $"'{a.Name}' [{Format(a.Shape)}] and '{b.Name}' [{Format(b.Shape)}] differ in element count";

    public static string Format(ReadOnlySpan<int> shape) => string.Join(",", shape.ToArray());

    public static NodeSupport ToSupport(string? reason) => reason is null ? NodeSupport.Supported : NodeSupport.Refuse(reason);
}

/// <summary>Raw float pointers into host tensors (arena, mapped model or folded constants: never moved by the GC).</summary>
internal static unsafe class TensorData
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float* Read(Tensor tensor) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.Read<float>()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float* Write(Tensor tensor) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.Write<float>()));
}

/// <summary>Splits work over the delegate's pool only when there is enough of it to pay for the hand-off.</summary>
internal static class Chunked
{
    /// <summary>
    /// Runs <paramref name="action"/> over [0, count): on the caller alone when the pool has one thread or the work is
    /// below <paramref name="minPerThread"/> items per thread, else split across the pool. No allocation (the
    /// delegate must be cached: a static lambda or a field).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void For<TState>(CpuThreadPool pool, int count, int minPerThread, in TState state,
        CpuThreadPool.ChunkAction<TState> action)
    {
        if (pool.ThreadCount == 1 || count < 2 * (long)minPerThread) action(state, 0, count);
        else pool.For(count, state, action);
    }
}
