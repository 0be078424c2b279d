using System.Runtime.InteropServices;
using Accel.Kernels;

namespace Accel.Operators;

/// <summary>
/// One input of a node as <see cref="OpShapeInference"/> sees it: its dtype and shape, and for a constant its
/// little-endian element bytes (for a sparse constant, the stored values). Tools (model builders, converters, the
/// conformance suite) describe a node with these instead of building an interpreter.
/// </summary>
/// <param name="Type">The tensor's dtype.</param>
/// <param name="Shape">Its shape (for a sparse constant, the dense shape).</param>
/// <param name="ConstantData">The constant's bytes; null for a tensor computed at run time (an activation).</param>
/// <param name="Quantization">Its quantization; null for none.</param>
/// <param name="Sparsity">Sparsity parameters of a sparse constant (DENSIFY's input); null for dense tensors.</param>
public sealed record OpTensorSpec(TensorType Type, int[] Shape, ReadOnlyMemory<byte>? ConstantData = null,
    QuantizationParameters? Quantization = null, SparsityParameters? Sparsity = null)
{
    /// <summary>The tensor's name in error messages; "input{i}" when null.</summary>
    public string? Name { get; init; }

    public bool IsConstant => ConstantData is not null;

    /// <summary>A tensor computed at run time (no data).</summary>
    public static OpTensorSpec Activation(TensorType type, int[] shape, QuantizationParameters? quantization = null) =>
        new(type, shape, null, quantization);

    /// <summary>A constant of <paramref name="type"/> holding <paramref name="bytes"/>.</summary>
    public static OpTensorSpec Constant(TensorType type, int[] shape, ReadOnlyMemory<byte> bytes, QuantizationParameters? quantization = null) =>
        new(type, shape, bytes, quantization);

    /// <summary>An int32 constant (paddings, axes, sizes, shapes).</summary>
    public static OpTensorSpec Int32Constant(int[] shape, ReadOnlySpan<int> values) =>
        new(TensorType.Int32, shape, MemoryMarshal.AsBytes(values).ToArray());
}

/// <summary>What <c>OpShapeInference.Infer</c> computed: every output's shape and the definition's params (with its cost).</summary>
public sealed record OpShapeInferenceResult(IReadOnlyList<int[]> OutputShapes, OpParams Params)
{
    /// <summary>
    /// Outputs whose shape depends on the values of inputs given without data (dynamic: known only at Invoke); their
    /// entry in <see cref="OutputShapes"/> is the output's placeholder shape, not a result.
    /// </summary>
    public IReadOnlyList<int> DynamicOutputs { get; init; } = [];

    /// <summary>The shape of output 0.</summary>
    public int[] OutputShape => OutputShapes[0];
}

/// <summary>
/// Output shapes for tools, from the operators' <see cref="OpDefinition"/>s: the same Prepare the interpreter runs at
/// AllocateTensors, on temporary tensors. Nothing else in Accel computes an operator's output shape, so a model
/// builder, the conformance suite and the runtime cannot disagree. Constants are copied to native memory for the
/// call and freed before it returns.
/// </summary>
public static unsafe class OpShapeInference
{
    /// <summary>
    /// Runs the definition of <paramref name="op"/> (version <paramref name="version"/>) on a node with
    /// <paramref name="inputs"/> (null: an omitted optional input, index -1) and outputs of
    /// <paramref name="outputTypes"/>; returns the output shapes and the params.
    /// </summary>
    /// <param name="outputQuantization">Each output's quantization (null or shorter: none).</param>
    /// <param name="nodeIndex">The node index error messages name.</param>
    /// <exception cref="KernelException">The definition rejects the node (its message), the version is out of its
    /// range, or Accel defines no operator <paramref name="op"/>.</exception>
    public static OpShapeInferenceResult Infer(OpId op, int version, OperatorOptions? options, ReadOnlyMemory<byte> customOptions,
        IReadOnlyList<OpTensorSpec?> inputs, IReadOnlyList<TensorType> outputTypes,
        IReadOnlyList<QuantizationParameters?>? outputQuantization = null, int nodeIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputTypes);
        var definition = OpDefinitions.Find(op)
            ?? throw new KernelException(nodeIndex, op.Name, $"Accel has no definition of operator {op.Name}, so it cannot infer its output shapes");
        if (version < definition.MinVersion || version > definition.MaxVersion)
            throw new KernelException(nodeIndex, op.Name,
                $"version {version} is not supported (Accel defines {op.Name} v{definition.MinVersion}..v{definition.MaxVersion})");

        var tensors = new List<Tensor>();
        var allocations = new List<nint>();
        try
        {
            var inputIndices = new int[inputs.Count];
            for (int i = 0; i < inputs.Count; i++)
            {
                if (inputs[i] is not { } spec)
                {
                    inputIndices[i] = -1;
                    continue;
                }
                ArgumentNullException.ThrowIfNull(spec.Shape, $"{nameof(inputs)}[{i}].{nameof(OpTensorSpec.Shape)}");
                var tensor = new Tensor(tensors.Count, spec.Name ?? $"input{i}", spec.Type, (int[])spec.Shape.Clone(), (int[])spec.Shape.Clone(),
                    spec.Quantization ?? QuantizationParameters.None, spec.Sparsity, isVariable: false);
                if (spec.ConstantData is { } data)
                {
                    var memory = (byte*)NativeMemory.Alloc((nuint)Math.Max(data.Length, 1));
                    allocations.Add((nint)memory);
                    data.Span.CopyTo(new Span<byte>(memory, data.Length));
                    tensor.Data = memory;
                    tensor.DataLength = data.Length;
                    tensor.ByteSize = data.Length;
                    tensor.Storage = TensorStorage.ModelConstant;
                }
                else
                {
                    // An activation: shape and dtype only; its bytes do not exist before Invoke.
                    tensor.Storage = TensorStorage.Unallocated;
                }
                inputIndices[i] = tensor.Index;
                tensors.Add(tensor);
            }

            var outputIndices = new int[outputTypes.Count];
            for (int o = 0; o < outputTypes.Count; o++)
            {
                var quantization = outputQuantization is not null && o < outputQuantization.Count ? outputQuantization[o] : null;
                var tensor = new Tensor(tensors.Count, outputTypes.Count == 1 ? "output" : $"output{o}", outputTypes[o], [], [],
                    quantization ?? QuantizationParameters.None, null, isVariable: false)
                {
                    Storage = TensorStorage.Unallocated,
                };
                outputIndices[o] = tensor.Index;
                tensors.Add(tensor);
            }

            var context = new KernelContext(nodeIndex, op.Name, version, options, customOptions, inputIndices, outputIndices, tensors.ToArray());
            var parameters = definition.Prepare(context);
            var shapes = new int[outputTypes.Count][];
            for (int o = 0; o < shapes.Length; o++) shapes[o] = context.Output(o).Shape.ToArray();
            var dynamic = Enumerable.Range(0, shapes.Length).Where(o => context.Output(o).IsDynamic).ToArray();
            return new OpShapeInferenceResult(shapes, parameters) { DynamicOutputs = dynamic };
        }
        finally
        {
            foreach (nint memory in allocations) NativeMemory.Free((void*)memory);
        }
    }

    /// <summary>
    /// <see cref="Infer(OpId, int, OperatorOptions?, ReadOnlyMemory{byte}, IReadOnlyList{OpTensorSpec?}, IReadOnlyList{TensorType}, IReadOnlyList{QuantizationParameters?}?, int)"/>
    /// for a model's operator code (its version included).
    /// </summary>
    public static OpShapeInferenceResult Infer(OperatorCode code, OperatorOptions? options, ReadOnlyMemory<byte> customOptions,
        IReadOnlyList<OpTensorSpec?> inputs, IReadOnlyList<TensorType> outputTypes, IReadOnlyList<QuantizationParameters?>? outputQuantization = null) =>
        Infer(OpId.From(code), code.Version, options, customOptions, inputs, outputTypes, outputQuantization);
}
