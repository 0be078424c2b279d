namespace Accel.Delegates.Cpu;

/// <summary>The CPU delegate's registry: one line per operator.</summary>
internal static class CpuOperators
{
    public static (Dictionary<BuiltinOperator, ICpuOperator> Builtins, Dictionary<string, ICpuOperator> Customs) Create()
    {
        var builtins = new Dictionary<BuiltinOperator, ICpuOperator>();
        var customs = new Dictionary<string, ICpuOperator>(StringComparer.Ordinal);
        // Registry lines are added as kernels land (one file per op under Kernels/).
        builtins[BuiltinOperator.Add] = new Kernels.AddOperator();
        builtins[BuiltinOperator.Sub] = new Kernels.SubOperator();
        builtins[BuiltinOperator.Mul] = new Kernels.MulOperator();
        builtins[BuiltinOperator.Relu] = new Kernels.ReluOperator();
        builtins[BuiltinOperator.Relu6] = new Kernels.Relu6Operator();
        builtins[BuiltinOperator.HardSwish] = new Kernels.HardSwishOperator();
        builtins[BuiltinOperator.Logistic] = new Kernels.LogisticOperator();
        builtins[BuiltinOperator.Reshape] = new Kernels.ReshapeOperator();
        builtins[BuiltinOperator.Concatenation] = new Kernels.ConcatenationOperator();
        builtins[BuiltinOperator.Pad] = new Kernels.PadOperator();
        builtins[BuiltinOperator.DepthToSpace] = new Kernels.DepthToSpaceOperator();
        builtins[BuiltinOperator.MaxPool2D] = new Kernels.MaxPool2DOperator();
        builtins[BuiltinOperator.AveragePool2D] = new Kernels.AveragePool2DOperator();
        builtins[BuiltinOperator.Mean] = new Kernels.MeanOperator();
        builtins[BuiltinOperator.ResizeBilinear] = new Kernels.ResizeBilinearOperator();
        builtins[BuiltinOperator.Conv2D] = new Kernels.Conv2DCpuOperator();
        builtins[BuiltinOperator.DepthwiseConv2D] = new Kernels.DepthwiseConv2DCpuOperator();
        builtins[BuiltinOperator.FullyConnected] = new Kernels.FullyConnectedCpuOperator();
        customs["Convolution2DTransposeBias"] = new Kernels.TransposeConvBiasCpuOperator();
        return (builtins, customs);
    }
}
