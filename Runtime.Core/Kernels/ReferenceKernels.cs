namespace Accel.Kernels;

/// <summary>The registry of reference kernels: one line per operator.</summary>
public static class ReferenceKernels
{
    public static void Register(OpResolver resolver)
    {
        // Registry lines are added as kernels land (one file per op under Kernels/Reference/).
        resolver.AddBuiltin(BuiltinOperator.Conv2D, () => new Reference.Conv2DKernel(), 1, 8);
        resolver.AddBuiltin(BuiltinOperator.DepthwiseConv2D, () => new Reference.DepthwiseConv2DKernel(), 1, 7);
        resolver.AddBuiltin(BuiltinOperator.FullyConnected, () => new Reference.FullyConnectedKernel(), 1, 13);
        resolver.AddBuiltin(BuiltinOperator.Dequantize, () => new Reference.DequantizeKernel(), 1, 6);
        resolver.AddBuiltin(BuiltinOperator.Densify, () => new Reference.DensifyKernel(), 1, 1);
        resolver.AddCustom("Convolution2DTransposeBias", () => new Reference.TransposeConvBiasKernel());
        resolver.AddBuiltin(BuiltinOperator.Add, () => new Reference.AddKernel(), 1, 5);
        resolver.AddBuiltin(BuiltinOperator.Sub, () => new Reference.SubKernel(), 1, 5);
        resolver.AddBuiltin(BuiltinOperator.Mul, () => new Reference.MulKernel(), 1, 7);
        resolver.AddBuiltin(BuiltinOperator.Relu, () => new Reference.ReluKernel(), 1, 3);
        resolver.AddBuiltin(BuiltinOperator.Relu6, () => new Reference.Relu6Kernel(), 1, 3);
        resolver.AddBuiltin(BuiltinOperator.HardSwish, () => new Reference.HardSwishKernel(), 1, 1);
        resolver.AddBuiltin(BuiltinOperator.Logistic, () => new Reference.LogisticKernel(), 1, 3);
        resolver.AddBuiltin(BuiltinOperator.MaxPool2D, () => new Reference.MaxPool2DKernel(), 1, 3);
        resolver.AddBuiltin(BuiltinOperator.AveragePool2D, () => new Reference.AveragePool2DKernel(), 1, 3);
        resolver.AddBuiltin(BuiltinOperator.Mean, () => new Reference.MeanKernel(), 1, 3);
        resolver.AddBuiltin(BuiltinOperator.Pad, () => new Reference.PadKernel(), 1, 4);
        resolver.AddBuiltin(BuiltinOperator.Reshape, () => new Reference.ReshapeKernel(), 1, 1);
        resolver.AddBuiltin(BuiltinOperator.Concatenation, () => new Reference.ConcatenationKernel(), 1, 4);
        resolver.AddBuiltin(BuiltinOperator.DepthToSpace, () => new Reference.DepthToSpaceKernel(), 1, 2);
        resolver.AddBuiltin(BuiltinOperator.ResizeBilinear, () => new Reference.ResizeBilinearKernel(), 1, 4);
    }
}
