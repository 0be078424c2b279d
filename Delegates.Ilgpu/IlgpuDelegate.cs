using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using ILGPU;
using ILGPU.Runtime;

namespace Accel.Delegates.Ilgpu;

/// <summary>
/// C# kernels compiled by ILGPU (CUDA, OpenCL, or ILGPU's CPU accelerator for testing), bit-exact with the reference
/// kernels. Tensors live in device buffers: constants are uploaded once at compile time, intermediates never leave
/// the device, and only boundary tensors cross (inputs not already on the device, outputs needed on the host).
/// Covers ADD, SUB, MUL (float32, broadcasting up to rank 4, fused NONE/RELU/RELU_N1_TO_1/RELU6), RELU, RELU6,
/// FULLY_CONNECTED, CONV_2D (incl. grouped), DEPTHWISE_CONV_2D, MAX_POOL_2D,
/// AVERAGE_POOL_2D, HARD_SWISH, RESHAPE and PAD.
/// </summary>
public sealed class IlgpuDelegate : IAccelDelegate
{
    /// <summary>Elements per thread on the CPU accelerator, where each thread has a large fixed cost.</summary>
    private const int CpuChunkElements = 4096;

    private readonly IlgpuBackend? _backend;
    private readonly Dictionary<int, MemoryBuffer1D<float, Stride1D.Dense>> _buffers = new();
    private readonly List<CompiledPartition> _partitions = new();
    /// <summary>Device buffers that belong to no tensor (AVERAGE_POOL_2D reciprocal tables).</summary>
    private readonly List<MemoryBuffer1D<float, Stride1D.Dense>> _tables = new();
    private bool _disposed;

    /// <param name="kind">Accelerator kind; Default = CUDA, else a usable OpenCL device, else unavailable.</param>
    /// <param name="deviceName">When set, only a device whose name contains this text (case-insensitive).</param>
    public IlgpuDelegate(IlgpuAcceleratorKind kind = IlgpuAcceleratorKind.Default, string? deviceName = null)
    {
        _backend = IlgpuBackend.Open(kind, deviceName, out string? reason);
        UnavailableReason = reason;
    }

    public string Name => "ilgpu";

    public DelegateCapabilities Capabilities { get; } =
        new(new HashSet<TensorType> { TensorType.Float32 }, DynamicShapes: false, DelegateMemory.Device);

    public string? UnavailableReason { get; }

    /// <summary>The accelerator in use (kind and device name), or null when unavailable.</summary>
    public string? AcceleratorDescription =>
        _backend is null ? null : $"{_backend.Kind}: {_backend.Accelerator.Name}";

    /// <summary>Bytes of device buffers this delegate holds now (0 after Dispose).</summary>
    public long AllocatedDeviceBytes => _buffers.Values.Sum(b => b.LengthInBytes) + _tables.Sum(b => b.LengthInBytes);

    public NodeSupport Supports(DelegateNode node)
    {
        if (_backend is null) return NodeSupport.Refuse($"ILGPU is unavailable: {UnavailableReason}");
        // RESHAPE's shape and PAD's paddings are integer constants read on the host, never by a kernel.
        int dataInputs = node.Builtin is BuiltinOperator.Reshape or BuiltinOperator.Pad ? Math.Min(1, node.Inputs.Count) : node.Inputs.Count;
        for (int i = 0; i < dataInputs; i++)
            if (node.Inputs[i] is { } t && t.Type != TensorType.Float32)
                return NodeSupport.Refuse($"input '{t.Name}' is {t.Type.ToDisplayName()}; only float32 is supported");
        foreach (var t in node.Outputs)
            if (t.Type != TensorType.Float32)
                return NodeSupport.Refuse($"output '{t.Name}' is {t.Type.ToDisplayName()}; only float32 is supported");
        switch (node.Builtin)
        {
            case BuiltinOperator.Add:
            case BuiltinOperator.Sub:
            case BuiltinOperator.Mul:
                if (node.Inputs.Count != 2 || node.Outputs.Count != 1 || node.Inputs[0] is null || node.Inputs[1] is null)
                    return NodeSupport.Refuse($"{node.Code.Name} needs two inputs and one output");
                if (!Broadcast4.TryCreate(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, out _, out int total))
                    return NodeSupport.Refuse($"{node.Code.Name}: operands of rank > 4 or not broadcastable");
                if (total != node.Outputs[0].ElementCount)
                    return NodeSupport.Refuse($"{node.Code.Name}: output size does not match the broadcast shape");
                return RangeOf(node, out _) is { } why ? NodeSupport.Refuse(why) : NodeSupport.Supported;
            case BuiltinOperator.Relu:
            case BuiltinOperator.Relu6:
            case BuiltinOperator.HardSwish:
                if (node.Inputs.Count != 1 || node.Outputs.Count != 1 || node.Inputs[0] is null)
                    return NodeSupport.Refuse($"{node.Code.Name} needs one input and one output");
                if (node.Inputs[0]!.ElementCount != node.Outputs[0].ElementCount)
                    return NodeSupport.Refuse($"{node.Code.Name}: input and output sizes differ");
                return NodeSupport.Supported;
            case BuiltinOperator.FullyConnected:
                return FullyConnectedSupport(node);
            case BuiltinOperator.Pad:
                return PadShapeOf(node, out _) is { } padRefusal ? NodeSupport.Refuse(padRefusal) : NodeSupport.Supported;
            case BuiltinOperator.Reshape:
                if (node.Inputs.Count is < 1 or > 2 || node.Outputs.Count != 1 || node.Inputs[0] is null)
                    return NodeSupport.Refuse("RESHAPE needs a data input, an optional shape and one output");
                if (node.Inputs[0]!.ElementCount != node.Outputs[0].ElementCount)
                    return NodeSupport.Refuse("RESHAPE: input and output sizes differ");
                return NodeSupport.Supported;
            case BuiltinOperator.MaxPool2D:
            case BuiltinOperator.AveragePool2D:
                return PoolGeometryOf(node, out _, out _) is { } poolRefusal ? NodeSupport.Refuse(poolRefusal) : NodeSupport.Supported;
            case BuiltinOperator.Conv2D:
            case BuiltinOperator.DepthwiseConv2D:
                return ConvGeometryOf(node, out _, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;
            default:
                return NodeSupport.Refuse($"{node.Code.Name} has no ILGPU kernel yet");
        }
    }

    public IPartitionKernel Compile(DelegatePartition partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var backend = _backend ?? throw new InvalidOperationException($"ILGPU is unavailable: {UnavailableReason}");
        var accelerator = backend.Accelerator;
        bool chunked = backend.Kind == IlgpuAcceleratorKind.Cpu;

        // Constants: uploaded once, here.
        foreach (var constant in partition.Constants)
            if (constant.Type == TensorType.Float32 && !_buffers.ContainsKey(constant.Index))
                BufferFor(constant).View.CopyFromCPU(ref MemoryMarshal.GetReference(constant.Read<float>()), constant.ElementCount);

        var binary = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            Broadcast4, int, ActivationRange, int, int>(IlgpuKernels.Binary);
        var clamp = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ActivationRange,
            int, int>(IlgpuKernels.Clamp);

        var fullyConnected = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, FullyConnectedShape, ActivationRange, int, int>(
            backend.Kind == IlgpuAcceleratorKind.Cuda ? IlgpuKernels.FullyConnected<PtxFma> : IlgpuKernels.FullyConnected<HostFma>);

        var convolution = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ConvGeometry, ActivationRange, int, int>(
            backend.Kind == IlgpuAcceleratorKind.Cuda ? IlgpuKernels.Convolution<PtxFma> : IlgpuKernels.Convolution<HostFma>);

        var maxPool = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvGeometry,
            ActivationRange, int, int>(IlgpuKernels.MaxPool);

        var hardSwish = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(
            IlgpuKernels.HardSwish);

        var averagePool = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ConvGeometry, ActivationRange, int, int>(IlgpuKernels.AveragePool);

        var copy = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(IlgpuKernels.Copy);

        var pad = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PadShape, int, int>(IlgpuKernels.Pad);

        var steps = new Step[partition.Nodes.Count];
        for (int n = 0; n < steps.Length; n++)
        {
            var node = partition.Nodes[n];
            var output = node.Outputs[0];
            int total = checked((int)output.ElementCount);
            int chunkSize = chunked ? CpuChunkElements : 1;
            int chunks = (total + chunkSize - 1) / chunkSize;
            var outView = BufferFor(output).View;
            switch (node.Builtin)
            {
                case BuiltinOperator.Add:
                case BuiltinOperator.Sub:
                case BuiltinOperator.Mul:
                {
                    Broadcast4.TryCreate(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, out var plan, out _);
                    RangeOf(node, out var range);
                    var a = BufferFor(node.Inputs[0]!).View;
                    var b = BufferFor(node.Inputs[1]!).View;
                    int op = node.Builtin switch
                    {
                        BuiltinOperator.Add => IlgpuKernels.OpAdd,
                        BuiltinOperator.Sub => IlgpuKernels.OpSub,
                        _ => IlgpuKernels.OpMul,
                    };
                    steps[n] = new Step(() => binary(chunks, a, b, outView, plan, op, range, total, chunkSize), chunks);
                    break;
                }
                case BuiltinOperator.FullyConnected:
                {
                    var weights = node.Inputs[1]!;
                    var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
                    var shape = new FullyConnectedShape(weights.Dim(0), weights.Dim(1), bias is null ? 0 : 1);
                    var range = ClampOf(((FullyConnectedOptions)node.Options!).FusedActivation);
                    var input = BufferFor(node.Inputs[0]!).View;
                    var weightsView = BufferFor(weights).View;
                    // Without a bias the kernel never reads this view; any valid view will do.
                    var biasView = bias is null ? weightsView : BufferFor(bias).View;
                    steps[n] = new Step(() => fullyConnected(chunks, input, weightsView, biasView, outView, shape, range, total, chunkSize), chunks);
                    break;
                }
                case BuiltinOperator.Pad:
                {
                    PadShapeOf(node, out var padShape);
                    var input = BufferFor(node.Inputs[0]!).View;
                    steps[n] = new Step(() => pad(chunks, input, outView, padShape, total, chunkSize), chunks);
                    break;
                }
                case BuiltinOperator.Reshape:
                {
                    var input = BufferFor(node.Inputs[0]!).View;
                    steps[n] = new Step(() => copy(chunks, input, outView, total, chunkSize), chunks);
                    break;
                }
                case BuiltinOperator.HardSwish:
                {
                    var input = BufferFor(node.Inputs[0]!).View;
                    steps[n] = new Step(() => hardSwish(chunks, input, outView, total, chunkSize), chunks);
                    break;
                }
                case BuiltinOperator.MaxPool2D:
                {
                    PoolGeometryOf(node, out var geometry, out var range);
                    var input = BufferFor(node.Inputs[0]!).View;
                    steps[n] = new Step(() => maxPool(chunks, input, outView, geometry, range, total, chunkSize), chunks);
                    break;
                }
                case BuiltinOperator.AveragePool2D:
                {
                    PoolGeometryOf(node, out var geometry, out var range);
                    var input = BufferFor(node.Inputs[0]!).View;
                    // The reference's table: R[0] = +inf (an empty window gives 0·inf = NaN), R[n] = SpecMath.ReciprocalOfCount(n).
                    var reciprocals = new float[geometry.FilterHeight * geometry.FilterWidth + 1];
                    reciprocals[0] = float.PositiveInfinity;
                    for (int c = 1; c < reciprocals.Length; c++) reciprocals[c] = Numerics.SpecMath.ReciprocalOfCount(c);
                    var table = accelerator.Allocate1D(reciprocals);
                    _tables.Add(table);
                    var tableView = table.View;
                    steps[n] = new Step(() => averagePool(chunks, input, tableView, outView, geometry, range, total, chunkSize), chunks);
                    break;
                }
                case BuiltinOperator.Conv2D:
                case BuiltinOperator.DepthwiseConv2D:
                {
                    ConvGeometryOf(node, out var geometry, out var range);
                    var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
                    var input = BufferFor(node.Inputs[0]!).View;
                    var filterView = BufferFor(node.Inputs[1]!).View;
                    var biasView = bias is null ? filterView : BufferFor(bias).View;
                    steps[n] = new Step(() => convolution(chunks, input, filterView, biasView, outView, geometry, range, total, chunkSize), chunks);
                    break;
                }
                default:
                {
                    var range = node.Builtin == BuiltinOperator.Relu ? new ActivationRange(0f, float.PositiveInfinity) : new ActivationRange(0f, 6f);
                    var input = BufferFor(node.Inputs[0]!).View;
                    steps[n] = new Step(() => clamp(chunks, input, outView, range, total, chunkSize), chunks);
                    break;
                }
            }
        }

        var uploads = partition.Inputs.Where(i => !i.OnDeviceFromSameDelegate && !i.Tensor.IsConstant && i.Tensor.Type == TensorType.Float32)
            .Select(i => (i.Tensor, BufferFor(i.Tensor))).ToArray();
        var downloads = partition.Outputs.Where(o => o.NeededOnHost).Select(o => (o.Tensor, BufferFor(o.Tensor))).ToArray();
        var compiled = new CompiledPartition(this, accelerator, uploads, downloads, steps);
        _partitions.Add(compiled);
        return compiled;
    }

    /// <summary>A rough GPU-ish throughput guess; elementwise ops are memory bound.</summary>
    public double EstimateSeconds(DelegateNode node) => 1e-6 + node.Outputs.Sum(o => o.ElementCount) * 12 / 1e11;

    /// <summary>PCIe-like transfer cost with a fixed latency per copy.</summary>
    public double EstimateTransferSeconds(long bytes) => 10e-6 + bytes / 10e9;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var buffer in _buffers.Values) buffer.Dispose();
        _buffers.Clear();
        foreach (var table in _tables) table.Dispose();
        _tables.Clear();
        _partitions.Clear();
        _backend?.Dispose();
    }

    /// <summary>The device buffer of a tensor, shared by every partition of this delegate (so device-resident boundary tensors are found).</summary>
    private MemoryBuffer1D<float, Stride1D.Dense> BufferFor(Tensor tensor)
    {
        if (_buffers.TryGetValue(tensor.Index, out var buffer) && buffer.Length < tensor.ElementCount)
        {
            // Re-planned with larger shapes (inputs resized, AllocateTensors again): partitions compiled before are discarded.
            buffer.Dispose();
            _buffers.Remove(tensor.Index);
            buffer = null;
        }
        if (buffer is null)
        {
            buffer = _backend!.Accelerator.Allocate1D<float>(Math.Max(1, tensor.ElementCount));
            _buffers[tensor.Index] = buffer;
        }
        return buffer;
    }

    /// <summary>The fused-activation clamp of ADD/SUB/MUL (absent options mean NONE); a reason when it is not a clamp.</summary>
    private static string? RangeOf(DelegateNode node, out ActivationRange range)
    {
        var activation = node.Options switch
        {
            AddOptions o => o.FusedActivation,
            SubOptions o => o.FusedActivation,
            MulOptions o => o.FusedActivation,
            _ => ActivationFunctionType.None,
        };
        range = ClampOf(activation);
        return IsClamp(activation) ? null : $"{node.Code.Name}: fused activation {activation} is not supported";
    }

    private static bool IsClamp(ActivationFunctionType activation) =>
        activation is ActivationFunctionType.None or ActivationFunctionType.Relu or ActivationFunctionType.ReluN1To1
            or ActivationFunctionType.Relu6;

    /// <summary>The same ranges as the reference's ActivationRange.For.</summary>
    private static ActivationRange ClampOf(ActivationFunctionType activation) => activation switch
    {
        ActivationFunctionType.None => new(float.NegativeInfinity, float.PositiveInfinity),
        ActivationFunctionType.Relu => new(0f, float.PositiveInfinity),
        ActivationFunctionType.ReluN1To1 => new(-1f, 1f),
        ActivationFunctionType.Relu6 => new(0f, 6f),
        _ => default,
    };

    /// <summary>PAD with constant int32/int64 paddings, rank ≤ 4; null when supported.</summary>
    private static string? PadShapeOf(DelegateNode node, out PadShape p)
    {
        p = default;
        if (node.Inputs.Count != 2 || node.Outputs.Count != 1 || node.Inputs[0] is null || node.Inputs[1] is null)
            return "PAD needs an input, paddings and one output";
        var input = node.Inputs[0]!;
        var paddings = node.Inputs[1]!;
        int rank = input.Rank;
        if (rank > 4) return "PAD: rank above 4";
        if (!paddings.IsConstant) return "PAD: paddings must be constant";
        if (paddings.Rank != 2 || paddings.Dim(0) != rank || paddings.Dim(1) != 2) return "PAD: paddings must be [rank, 2]";
        long[] values = paddings.Type switch
        {
            TensorType.Int32 => paddings.Read<int>().ToArray().Select(v => (long)v).ToArray(),
            TensorType.Int64 => paddings.Read<long>().ToArray(),
            _ => [],
        };
        if (values.Length != 2 * rank) return $"PAD: paddings of type {paddings.Type.ToDisplayName()} are not supported";
        var inDims = new int[4];
        var outDims = new int[4];
        var before = new int[4];
        for (int d = 0; d < 4; d++)
        {
            int source = d - (4 - rank);
            inDims[d] = source >= 0 ? input.Dim(source) : 1;
            long b = source >= 0 ? values[2 * source] : 0, a = source >= 0 ? values[2 * source + 1] : 0;
            if (b < 0 || a < 0) return "PAD: negative paddings";
            long size = inDims[d] + b + a;
            if (size > int.MaxValue) return "PAD: padded dimension too large";
            outDims[d] = (int)size;
            before[d] = (int)b;
        }
        if ((long)outDims[0] * outDims[1] * outDims[2] * outDims[3] != node.Outputs[0].ElementCount)
            return "PAD: output size does not match the paddings";
        p = new PadShape
        {
            I0 = inDims[0], I1 = inDims[1], I2 = inDims[2], I3 = inDims[3],
            O1 = outDims[1], O2 = outDims[2], O3 = outDims[3],
            B0 = before[0], B1 = before[1], B2 = before[2], B3 = before[3],
        };
        return null;
    }

    /// <summary>Checks a MAX_POOL_2D / AVERAGE_POOL_2D the way the reference's Pool2DGeometry does; null when supported.</summary>
    private static string? PoolGeometryOf(DelegateNode node, out ConvGeometry g, out ActivationRange range)
    {
        g = default;
        range = default;
        if (node.Inputs.Count != 1 || node.Outputs.Count != 1 || node.Inputs[0] is null)
            return $"{node.Code.Name} needs one input and one output";
        if (node.Options is not Pool2DOptions o) return $"{node.Code.Name} without options";
        if ((long)o.FilterHeight * o.FilterWidth > Numerics.SpecMath.MaxExactCount) return $"{node.Code.Name}: window too large";
        if (!IsClamp(o.FusedActivation)) return $"MAX_POOL_2D: fused activation {o.FusedActivation} is not supported";
        if (o.Padding is not (Padding.Same or Padding.Valid)) return $"MAX_POOL_2D: unknown padding {o.Padding}";
        if (o.StrideH <= 0 || o.StrideW <= 0 || o.FilterHeight <= 0 || o.FilterWidth <= 0)
            return "MAX_POOL_2D: strides and filter sizes must be positive";
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (input.Rank != 4 || output.Rank != 4) return "MAX_POOL_2D: input and output must have rank 4";
        var rows = SpatialPadding.Compute(o.Padding, input.Dim(1), o.FilterHeight, o.StrideH, 1);
        var cols = SpatialPadding.Compute(o.Padding, input.Dim(2), o.FilterWidth, o.StrideW, 1);
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != rows.OutputSize || output.Dim(2) != cols.OutputSize || output.Dim(3) != input.Dim(3))
            return "MAX_POOL_2D: output shape does not match the pooling";
        range = ClampOf(o.FusedActivation);
        g = new ConvGeometry
        {
            InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            FilterHeight = o.FilterHeight, FilterWidth = o.FilterWidth,
            OutputHeight = rows.OutputSize, OutputWidth = cols.OutputSize, OutputDepth = input.Dim(3),
            StrideH = o.StrideH, StrideW = o.StrideW, PadTop = rows.PadBefore, PadLeft = cols.PadBefore,
        };
        return null;
    }

    /// <summary>Checks a CONV_2D / DEPTHWISE_CONV_2D the way the reference's Prepare does; null when supported.</summary>
    private static string? ConvGeometryOf(DelegateNode node, out ConvGeometry g, out ActivationRange range)
    {
        g = default;
        range = default;
        string op = node.Code.Name;
        if (node.Inputs.Count is < 2 or > 3 || node.Outputs.Count != 1 || node.Inputs[0] is null || node.Inputs[1] is null)
            return $"{op} needs input, filter, optional bias and one output";
        Padding padding;
        int strideW, strideH, dilationW, dilationH;
        ActivationFunctionType activation;
        bool depthwise = node.Builtin == BuiltinOperator.DepthwiseConv2D;
        switch (node.Options)
        {
            case Conv2DOptions c when !depthwise:
                (padding, strideW, strideH, activation, dilationW, dilationH) = (c.Padding, c.StrideW, c.StrideH, c.FusedActivation, c.DilationW, c.DilationH);
                break;
            case DepthwiseConv2DOptions d when depthwise:
                (padding, strideW, strideH, activation, dilationW, dilationH) = (d.Padding, d.StrideW, d.StrideH, d.FusedActivation, d.DilationW, d.DilationH);
                break;
            default:
                return $"{op} without its options";
        }
        if (!IsClamp(activation)) return $"{op}: fused activation {activation} is not supported";
        if (padding is not (Padding.Same or Padding.Valid)) return $"{op}: unknown padding {padding}";
        if (strideW <= 0 || strideH <= 0 || dilationW <= 0 || dilationH <= 0) return $"{op}: strides and dilations must be positive";
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        var output = node.Outputs[0];
        if (input.Rank != 4 || filter.Rank != 4 || output.Rank != 4 || filter.Sparsity is not null)
            return $"{op}: input, dense filter and output must have rank 4";
        int inputDepth = input.Dim(3);
        int outputDepth = depthwise ? filter.Dim(3) : filter.Dim(0);
        int filterDepth = depthwise ? 1 : filter.Dim(3);
        if (depthwise && (filter.Dim(0) != 1 || inputDepth <= 0 || outputDepth % inputDepth != 0))
            return $"{op}: filter must be [1, kh, kw, Cin·multiplier]";
        if (!depthwise && (filterDepth <= 0 || inputDepth % filterDepth != 0 || outputDepth % (inputDepth / filterDepth) != 0))
            return $"{op}: filter depth does not divide the input depth into groups";
        if (node.Inputs.Count > 2 && node.Inputs[2] is { } bias && bias.ElementCount != outputDepth)
            return $"{op}: bias size differs from the output depth";
        var rows = SpatialPadding.Compute(padding, input.Dim(1), filter.Dim(1), strideH, dilationH);
        var cols = SpatialPadding.Compute(padding, input.Dim(2), filter.Dim(2), strideW, dilationW);
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != rows.OutputSize || output.Dim(2) != cols.OutputSize || output.Dim(3) != outputDepth)
            return $"{op}: output shape does not match the convolution";
        range = ClampOf(activation);
        g = new ConvGeometry
        {
            InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = inputDepth,
            FilterHeight = filter.Dim(1), FilterWidth = filter.Dim(2), FilterDepth = filterDepth,
            OutputHeight = rows.OutputSize, OutputWidth = cols.OutputSize, OutputDepth = outputDepth,
            StrideH = strideH, StrideW = strideW, DilationH = dilationH, DilationW = dilationW,
            PadTop = rows.PadBefore, PadLeft = cols.PadBefore,
            FiltersPerGroup = depthwise ? 1 : outputDepth / (inputDepth / filterDepth),
            DepthMultiplier = depthwise ? outputDepth / inputDepth : 1,
            Depthwise = depthwise ? 1 : 0,
            HasBias = node.Inputs.Count > 2 && node.Inputs[2] is not null ? 1 : 0,
        };
        return null;
    }

    private static NodeSupport FullyConnectedSupport(DelegateNode node)
    {
        if (node.Inputs.Count is < 2 or > 3 || node.Outputs.Count != 1 || node.Inputs[0] is null || node.Inputs[1] is null)
            return NodeSupport.Refuse("FULLY_CONNECTED needs input, weights, optional bias and one output");
        if (node.Options is not FullyConnectedOptions options)
            return NodeSupport.Refuse("FULLY_CONNECTED without options");
        if (options.WeightsFormat != 0)
            return NodeSupport.Refuse($"FULLY_CONNECTED weights_format {options.WeightsFormat}; only DEFAULT (0)");
        if (!IsClamp(options.FusedActivation))
            return NodeSupport.Refuse($"FULLY_CONNECTED: fused activation {options.FusedActivation} is not supported");
        var weights = node.Inputs[1]!;
        if (weights.Rank != 2 || weights.Sparsity is not null)
            return NodeSupport.Refuse("FULLY_CONNECTED: weights must be dense rank 2");
        int units = weights.Dim(0), depth = weights.Dim(1);
        long elements = node.Inputs[0]!.ElementCount;
        if (depth <= 0 || elements % depth != 0)
            return NodeSupport.Refuse("FULLY_CONNECTED: input does not flatten to rows of the weights' depth");
        if (node.Inputs.Count > 2 && node.Inputs[2] is { } bias && bias.ElementCount != units)
            return NodeSupport.Refuse("FULLY_CONNECTED: bias size differs from the number of units");
        if (node.Outputs[0].ElementCount != elements / depth * units)
            return NodeSupport.Refuse("FULLY_CONNECTED: output size does not match batch × units");
        return NodeSupport.Supported;
    }

    private sealed record Step(Action Launch, int Chunks);

    private sealed class CompiledPartition(IlgpuDelegate owner, Accelerator accelerator,
        (Tensor Tensor, MemoryBuffer1D<float, Stride1D.Dense> Buffer)[] uploads,
        (Tensor Tensor, MemoryBuffer1D<float, Stride1D.Dense> Buffer)[] downloads, Step[] steps) : IPartitionKernel
    {
        public void Invoke()
        {
            ObjectDisposedException.ThrowIf(owner._disposed, owner);
            foreach (var (tensor, buffer) in uploads)
            {
                var data = tensor.Read<float>();
                if (data.Length > 0) buffer.View.SubView(0, data.Length).CopyFromCPU(ref MemoryMarshal.GetReference(data), data.Length);
            }
            foreach (var step in steps)
                if (step.Chunks > 0) step.Launch();
            accelerator.Synchronize();
            foreach (var (tensor, buffer) in downloads)
            {
                var data = tensor.Write<float>();
                if (data.Length > 0) buffer.View.SubView(0, data.Length).CopyToCPU(ref MemoryMarshal.GetReference(data), data.Length);
            }
        }

        public void Dispose() { }
    }
}
