using Accel.Building;
using Accel.Operators;

namespace Accel.Tests.Kernels;

/// <summary>
/// REDUCE_MAX / REDUCE_MIN on int8, uint8, int16 (docs/numerics.md §Quantized execution): the stored integers compared
/// and moved unchanged, as TFLite's reduce.cc; an output quantized unlike the input, or an int16 zero point ≠ 0, is a
/// typed error.
/// </summary>
public sealed class QuantizedReduceMaxMinTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static byte[] Run(BuiltinOperator op, TensorType type, byte[] input, QuantizationParameters inputQ, QuantizationParameters outputQ)
    {
        var b = new ModelBuilder();
        int elementSize = type == TensorType.Int16 ? 2 : 1;
        int count = input.Length / elementSize;
        int x = b.AddTensor("x", type, [2, count / 2], inputQ);
        int axes = b.AddConstant("axes", [1], [1]);
        int y = b.AddTensor("y", type, [2], outputQ);
        b.AddOperator(op, [x, axes], [y], new ReducerOptions(false), version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        input.CopyTo(interpreter.GetInputTensor(0).WritableBytes);
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }

    [Test]
    public void Int8_rows_give_their_largest_and_smallest_stored_values()
    {
        byte[] input = [.. new sbyte[] { -128, 5, 127, -1, -7, -3 }.Select(v => (byte)v)];
        var q = Q(0.1f, -3);
        Assert.That(Run(BuiltinOperator.ReduceMax, TensorType.Int8, input, q, q).Select(v => (sbyte)v), Is.EqualTo(new sbyte[] { 127, -1 }));
        Assert.That(Run(BuiltinOperator.ReduceMin, TensorType.Int8, input, q, q).Select(v => (sbyte)v), Is.EqualTo(new sbyte[] { -128, -7 }));
    }

    [Test]
    public void Uint8_and_int16_compare_as_their_own_integers()
    {
        byte[] bytes = [0, 200, 255, 128, 1, 2];
        var uq = Q(0.1f, 128);
        Assert.That(Run(BuiltinOperator.ReduceMax, TensorType.UInt8, bytes, uq, uq), Is.EqualTo(new byte[] { 255, 128 }));
        short[] shorts = [-32768, 300, 32767, -5];
        byte[] raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(shorts.AsSpan()).ToArray();
        var sq = Q(0.001f, 0);
        var min = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(Run(BuiltinOperator.ReduceMin, TensorType.Int16, raw, sq, sq)).ToArray();
        Assert.That(min, Is.EqualTo(new short[] { -32768, -5 }));
    }

    [Test]
    public void An_output_quantized_unlike_the_input_is_a_typed_error_naming_both()
    {
        var e = Assert.Throws<KernelException>(() => Run(BuiltinOperator.ReduceMax, TensorType.Int8, new byte[4], Q(0.1f, 0), Q(0.2f, 0)));
        Assert.That(e!.Message, Does.Contain("REDUCE_MAX").And.Contain("'y'").And.Contain("'x'"));
    }

    [Test]
    public void An_int16_input_with_a_nonzero_zero_point_is_refused()
    {
        var q = Q(0.1f, 3);
        var e = Assert.Throws<KernelException>(() => Run(BuiltinOperator.ReduceMin, TensorType.Int16, new byte[8], q, q));
        Assert.That(e!.Message, Does.Contain("zero point"));
    }
}
