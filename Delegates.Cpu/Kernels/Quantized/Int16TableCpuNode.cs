using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// An int16 element-wise operator as a 65,536-entry table of its outputs (int16, or bytes for QUANTIZE to int8)
/// indexed by the input's bits: int16x8 LOGISTIC, TANH, QUANTIZE and others, the table filled at compile time by the
/// reference kernel itself (Int16SigmoidParams.Tabulate, QuantizeKernel.Int16Table / Int16ToByteTable), so every element is the reference's by construction
/// (128 or 64 KiB, L2-resident). Threaded in contiguous chunks.
/// </summary>
internal sealed unsafe class Int16TableCpuNode<T> : ICpuCompiledNode where T : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<Int16TableCpuNode<T>> Work =
        static (in Int16TableCpuNode<T> node, int start, int end) => node.Map(start, end);

    private readonly Tensor _input, _output;
    private readonly T[] _table = GC.AllocateArray<T>(65536, pinned: true);
    private short* _x;
    private T* _y;

    public Int16TableCpuNode(Tensor input, Tensor output, T[] table)
    {
        if (table.Length != 65536) throw new ArgumentException("an int16 table has 65,536 entries", nameof(table));
        (_input, _output) = (input, output);
        table.CopyTo(_table, 0);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = (short*)RawTensorData.Read(_input);
        _y = (T*)RawTensorData.Write(_output);
        Chunked.For(pool, (int)_input.ElementCount, 128 * 1024, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Map(int start, int end)
    {
        T* table = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_table));
        for (int i = start; i < end; i++) _y[i] = table[(ushort)_x[i]];
    }
}
