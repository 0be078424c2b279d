using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// An int8/uint8 CONV_2D whose output only an ADD reads, with a residual of the same shape (the CPU delegate's
/// ResidualAddFusion): pointwise and 3×3 convolutions, either operand order, the ADD's fused activations, output rows
/// that fill the fused pass's buffer in one tile or in many, few pixels × many channels (split into channel groups at
/// 2 threads), a residual that is the convolution's own input, and a convolution input that dies at it (the arena may
/// then give the ADD's output its place, and the nodes run apart). Random 8-bit inputs and weights.
/// </summary>
public static partial class OpCases
{
    /// <summary>Every residual-ADD case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> QuantizedResidualAddCases(Random random)
    {
        var activations = new[] { ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.Relu6, ActivationFunctionType.ReluN1To1 };
        var shapes = new (int H, int W, int Cin, int K, int Cout, int Batch, bool Self)[]
        {
            (9, 7, 16, 1, 24, 1, false),   // a pointwise projection (K 16), 24 channels: 63 pixels, a 3-row last tile
            (6, 5, 40, 1, 16, 2, false),   // two batches, 16 channels
            (7, 6, 8, 3, 12, 1, false),    // a 3x3 convolution, 12 channels (a partial block)
            (5, 5, 24, 1, 40, 1, false),   // 40 channels (32 + 8)
            (2, 2, 32, 1, 256, 1, false),  // one tile of 256 channels: channel groups at 2 threads
            (1, 3, 64, 1, 1000, 1, false), // rows of 1000 channels (4000 bytes per tile)
            (12, 11, 32, 1, 32, 1, true),  // the residual is the convolution's input
            (13, 10, 24, 1, 24, 1, false), // Cin = Cout (the output may take the dying input's place exactly)
            (3, 2, 72, 1, 72, 1, false),   // Cin = Cout over few tiles (channel groups unless over the input)
            (12, 12, 32, 1, 160, 1, false), // 36 tiles of 160 channels: on the emitted GEMM, panels the stack buffer bounds (12 tiles)
            // int8 on AVX-VNNI + AVX-512 takes the small pointwise node for Cout 8/16/24 (above: 16 -> 24, 40 -> 16, 24 -> 24):
            (20, 24, 16, 1, 24, 1, false), // 480 pixels: more than one run of its stack buffer (340 pixels of 24 channels)
            (7, 9, 32, 1, 8, 1, false),    // Cout 8: two-pixel steps and a lone last pixel
            (9, 13, 8, 1, 8, 1, false),    // Cin 8 -> 8 (its unrolled two-pixel steps): 58 pixel pairs and a lone pixel
            (10, 12, 8, 1, 8, 2, true),    // ... the residual the convolution's input, two batches
        };
        int index = 0;
        foreach (bool uint8 in new[] { false, true })
            foreach (var s in shapes)
                foreach (bool convFirst in new[] { true, false })
                {
                    var activation = activations[index++ % activations.Length];
                    bool selfResidual = s.Self;
                    bool inputDies = (index % 3 == 0 || s.Cin == s.Cout) && !selfResidual;
                    yield return ResidualAddCase(
                        $"CONV_2D + ADD {(uint8 ? "uint8" : "int8")} {s.Batch}x{s.H}x{s.W}x{s.Cin} k{s.K} -> {s.Cout}, conv operand {(convFirst ? 0 : 1)}, {activation}" +
                        (selfResidual ? ", residual = conv input" : "") + (inputDies ? ", conv input dies" : ""),
                        random, uint8, s.Batch, s.H, s.W, s.Cin, s.K, s.Cout, convFirst, activation, selfResidual, inputDies);
                }
    }

    private static BitExactCase ResidualAddCase(string name, Random random, bool uint8, int batch, int h, int w, int cin, int k, int cout,
        bool convFirst, ActivationFunctionType activation, bool selfResidual, bool inputDies)
    {
        var type = uint8 ? TensorType.UInt8 : TensorType.Int8;
        int Zero() => uint8 ? random.Next(0, 256) : random.Next(-128, 128);
        var mb = new ModelBuilder(name);
        int[] inShape = [batch, h, w, cin], outShape = [batch, h, w, cout];
        float inputScale = 0.04f + 0.02f * (float)random.NextDouble();
        int x = mb.AddTensor("x", type, inShape, PerTensor(inputScale, Zero()));
        int convInput = x;
        if (inputDies)
        {
            // x + x: a tensor that only the convolution reads, so its place is free once the convolution has run.
            convInput = mb.AddTensor("doubled", type, inShape, PerTensor(inputScale * 2, Zero()));
            mb.AddOperator(BuiltinOperator.Add, [x, x], [convInput], new AddOptions(ActivationFunctionType.None), version: 2);
            inputScale *= 2;
        }
        byte[] weights = new byte[cout * k * k * cin];
        random.NextBytes(weights);
        var weightScales = uint8 ? [0.02f] : ChannelScales(random, cout, 3);
        int weightZero = uint8 ? random.Next(0, 256) : 0;
        var wq = new QuantizationParameters(weightScales, Enumerable.Repeat((long)weightZero, weightScales.Length).ToArray(), 0, [], []);
        var bias = new int[cout];
        for (int c = 0; c < cout; c++) bias[c] = random.Next(-20000, 20001);
        var biasScales = weightScales.Select(s => (float)((double)inputScale * s)).ToArray();
        int b = mb.AddConstant("b", TensorType.Int32, [cout], MemoryMarshal.AsBytes(bias.AsSpan()), new QuantizationParameters(biasScales, new long[biasScales.Length], 0, [], []));
        int conv = mb.AddTensor("conv", type, outShape, PerTensor(0.3f + (float)random.NextDouble(), Zero()));
        mb.AddOperator(BuiltinOperator.Conv2D, [convInput, mb.AddConstant("w", type, [cout, k, k, cin], weights, wq), b], [conv],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None), uint8 ? 1 : 3);
        int residual = selfResidual ? x : mb.AddTensor("r", type, outShape, PerTensor(0.05f + 0.5f * (float)random.NextDouble(), Zero()));
        int y = mb.AddTensor("y", type, outShape, PerTensor(0.2f + (float)random.NextDouble(), Zero()));
        mb.AddOperator(BuiltinOperator.Add, convFirst ? [conv, residual] : [residual, conv], [y], new AddOptions(activation), version: 2);
        mb.AddInput(x);
        if (!selfResidual) mb.AddInput(residual);
        mb.AddOutput(y);
        byte[] Bytes(int[] shape)
        {
            var bytes = new byte[shape.Aggregate(1, (p, d) => p * d)];
            random.NextBytes(bytes);
            return bytes;
        }
        return new BitExactCase(name, mb.Build(), selfResidual ? [Bytes(inShape)] : [Bytes(inShape), Bytes(outShape)]);
    }
}
