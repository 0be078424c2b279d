using Accel.Building;

namespace Accel.Cli.Tests;

/// <summary>
/// A tiny model built in memory with only the kernels that exist early (CONV_2D, DEPTHWISE_CONV_2D,
/// FULLY_CONNECTED, DEQUANTIZE), with two inputs and two outputs and hand-computable MACs:
/// <code>
/// x [1,6,6,3] -> CONV_2D (3x3, 3->4, SAME; weights fp16 -> DEQUANTIZE, folded) -> [1,6,6,4]   144*27 = 3888 MACs
///             -> DEPTHWISE_CONV_2D (3x3, SAME)                                   -> [1,6,6,4]   144*9  = 1296 MACs
///             -> FULLY_CONNECTED (5 units, K = 144)                              -> y [1,5]     5*144  =  720 MACs
/// aux [2,3]   -> FULLY_CONNECTED (2 units, K = 3)                                -> z [2,2]     4*3    =   12 MACs
/// </code>
/// </summary>
internal static class SmallModel
{
    public const long ConvMacs = 144 * 27;
    public const long DepthwiseMacs = 144 * 9;
    public const long FullyConnectedMacs = 5 * 144 + 2 * 2 * 3;
    public const long TotalMacs = ConvMacs + DepthwiseMacs + FullyConnectedMacs;
    public const int XBytes = 6 * 6 * 3 * 4;
    public const int AuxBytes = 2 * 3 * 4;

    public static byte[] Build()
    {
        var b = new ModelBuilder("cli test model");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 3]);
        int aux = b.AddTensor("aux", TensorType.Float32, [2, 3]);

        int w16 = b.AddConstantFloat16("conv_w_fp16", [4, 3, 3, 3], Ramp(4 * 3 * 3 * 3, 0.01f));
        int w = b.AddTensor("conv_w", TensorType.Float32, [4, 3, 3, 3]);
        b.AddOperator(BuiltinOperator.Dequantize, [w16], [w], version: 3);
        int convBias = b.AddConstant("conv_b", [4], Ramp(4, 0.1f));
        int conv = b.AddTensor("conv", TensorType.Float32, [1, 6, 6, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, convBias], [conv],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu));

        int dwWeights = b.AddConstant("dw_w", [1, 3, 3, 4], Ramp(36, 0.02f));
        int dwBias = b.AddConstant("dw_b", [4], Ramp(4, -0.1f));
        int dw = b.AddTensor("dw", TensorType.Float32, [1, 6, 6, 4]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [conv, dwWeights, dwBias], [dw],
            new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None));

        int fcWeights = b.AddConstant("fc_w", [5, 144], Ramp(5 * 144, 0.001f));
        int fcBias = b.AddConstant("fc_b", [5], Ramp(5, 0.5f));
        int y = b.AddTensor("y", TensorType.Float32, [1, 5]);
        b.AddOperator(BuiltinOperator.FullyConnected, [dw, fcWeights, fcBias], [y],
            new FullyConnectedOptions(ActivationFunctionType.None));

        int auxWeights = b.AddConstant("aux_w", [2, 3], Ramp(6, 0.25f));
        int z = b.AddTensor("z", TensorType.Float32, [2, 2]);
        b.AddOperator(BuiltinOperator.FullyConnected, [aux, auxWeights, -1], [z],
            new FullyConnectedOptions(ActivationFunctionType.None));

        b.AddInput(x);
        b.AddInput(aux);
        b.AddOutput(y);
        b.AddOutput(z);
        return b.Build();
    }

    public static string WriteTo(TempDirectory directory)
    {
        string path = directory.File("small.tflite");
        File.WriteAllBytes(path, Build());
        return path;
    }

    /// <summary>Small alternating values so results stay well inside float range.</summary>
    private static float[] Ramp(int count, float step) =>
        Enumerable.Range(0, count).Select(i => ((i % 7) - 3) * step).ToArray();
}
