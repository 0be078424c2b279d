using Accel.Operators;

namespace Accel.Kernels;

/// <summary>What a kernel sees of its node: its tensors, options and identity (for error messages).</summary>
public sealed class KernelContext
{
    private readonly Tensor[] _tensors;
    private readonly int[] _inputs;
    private readonly int[] _outputs;

    internal KernelContext(int nodeIndex, string operatorName, int version, OperatorOptions? options,
        ReadOnlyMemory<byte> customOptions, int[] inputs, int[] outputs, Tensor[] tensors)
    {
        NodeIndex = nodeIndex;
        OperatorName = operatorName;
        Version = version;
        Options = options;
        CustomOptions = customOptions;
        _inputs = inputs;
        _outputs = outputs;
        _tensors = tensors;
    }

    public int NodeIndex { get; }

    /// <summary>Builtin name (CONV_2D) or custom code (Convolution2DTransposeBias).</summary>
    public string OperatorName { get; }
    public int Version { get; }
    public OperatorOptions? Options { get; }
    public ReadOnlyMemory<byte> CustomOptions { get; }
    /// <summary>
    /// What the operator's <see cref="OpDefinition"/> computed at AllocateTensors (validated options, geometry, cost);
    /// <see cref="UndefinedOpParams"/> for an operator with no core definition. Null before the first prepare.
    /// </summary>
    public OpParams? Params { get; internal set; }

    /// <summary>The node's params as <typeparamref name="T"/> (a reference kernel reads its definition's params).</summary>
    public T ParamsAs<T>() where T : OpParams =>
        Params as T ?? throw Error($"has params {Params?.GetType().Name ?? "(none)"}; expected {typeof(T).Name}");

    public int InputCount => _inputs.Length;
    public int OutputCount => _outputs.Length;

    /// <summary>The input tensor at <paramref name="position"/>; an error if absent or optional-and-omitted (-1).</summary>
    public Tensor Input(int position)
    {
        if ((uint)position >= (uint)_inputs.Length)
            throw Error($"expects an input at position {position}, but the node has {_inputs.Length} inputs");
        int index = _inputs[position];
        if (index < 0) throw Error($"input {position} is required but omitted (-1)");
        return _tensors[index];
    }

    /// <summary>The input at <paramref name="position"/>, or null when the node omits it (index -1 or too few inputs).</summary>
    public Tensor? OptionalInput(int position)
    {
        if ((uint)position >= (uint)_inputs.Length) return null;
        int index = _inputs[position];
        return index < 0 ? null : _tensors[index];
    }

    public Tensor Output(int position)
    {
        if ((uint)position >= (uint)_outputs.Length)
            throw Error($"expects an output at position {position}, but the node has {_outputs.Length} outputs");
        return _tensors[_outputs[position]];
    }

    /// <summary>The builtin options as <typeparamref name="T"/>; a clear error if they are missing or of another type.</summary>
    public T OptionsAs<T>() where T : OperatorOptions =>
        Options as T ?? throw Error(Options is null
            ? $"has no builtin options; expected {typeof(T).Name}"
            : $"has {Options.OptionsType} options; expected {typeof(T).Name}");

    /// <summary>Sets the shape of output <paramref name="position"/> (Prepare only).</summary>
    public void SetOutputShape(int position, ReadOnlySpan<int> shape)
    {
        var tensor = Output(position);
        foreach (int d in shape)
            if (d < 0) throw Error($"computed a negative dimension for output {position}: [{string.Join(",", shape.ToArray())}]");
        CheckOutputBytes(tensor, shape);
        if (!tensor.Shape.SequenceEqual(shape)) tensor.SetShape(shape.ToArray());
        // A node prepared at Invoke (downstream of a dynamic tensor) writes dynamic outputs: size their buffers now.
        if (tensor.IsDynamic && DynamicMemory is { } memory) memory.Fit(tensor, this);
    }

    /// <summary>
    /// Prepare: output <paramref name="position"/>'s shape depends on input VALUES not known before Invoke (TFLite's
    /// SetTensorToDynamic). It gets no arena memory; the kernel sets its shape at Invoke with
    /// <see cref="ResizeOutput"/>, and every node reading it is prepared at Invoke. Delegates do not claim such nodes,
    /// except a node deferred by a run-time parameter input (<see cref="Delegates.DelegateNode.ParamsAtInvoke"/>) for a
    /// delegate declaring <see cref="Delegates.DelegateCapabilities.RunTimeParameters"/>.
    /// </summary>
    public void SetOutputDynamic(int position)
    {
        var tensor = Output(position);
        if (DynamicMemory is { } memory) memory.MarkDynamic(tensor);
        else tensor.Storage = TensorStorage.Dynamic; // shape inference for tools: no memory at all
    }

    /// <summary>
    /// Invoke: sets the shape of a dynamic output (one its definition marked with <see cref="SetOutputDynamic"/>, or
    /// any output of a node prepared at Invoke) and sizes its buffer, which grows only when needed: an unchanged shape
    /// allocates nothing. A negative dimension or an element count over 2^31-1 is an error naming the node.
    /// </summary>
    public void ResizeOutput(int position, ReadOnlySpan<int> shape)
    {
        var tensor = Output(position);
        if (!tensor.IsDynamic || DynamicMemory is not { } memory)
            throw Error($"output {position} ('{tensor.Name}') is not dynamic; its shape was fixed at AllocateTensors");
        long elements = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw Error($"computed a negative dimension for output {position}: {FormatShape(shape)}");
            elements = elements > int.MaxValue ? elements : elements * d;
        }
        if (elements > int.MaxValue)
            throw Error($"output {position} shape {FormatShape(shape)} has more than 2^31-1 elements");
        if (!tensor.Shape.SequenceEqual(shape)) tensor.SetShapeInPlace(shape);
        memory.Fit(tensor, this);
    }

    /// <summary>The interpreter's buffers for dynamic tensors; null in shape inference for tools (no Invoke).</summary>
    internal DynamicTensorMemory? DynamicMemory { get; init; }

    /// <summary>
    /// InterpreterOptions.MaxTensorBytes: an output shape over it is refused as soon as a definition sets it, before
    /// the definition builds anything sized by it (tables, indices). No limit outside an interpreter.
    /// </summary>
    internal long MaxTensorBytes { get; init; } = long.MaxValue;

    /// <summary>The option <see cref="MaxTensorBytes"/> comes from (the smaller of MaxTensorBytes and MaxMemoryBytes).</summary>
    internal string MaxTensorBytesOption { get; init; } = "InterpreterOptions.MaxTensorBytes";

    /// <summary>
    /// Checks scratch memory a definition is about to allocate from the node's shapes (tables, index maps) against the
    /// same limit as a tensor, before allocating it.
    /// </summary>
    internal void ReserveWorkspace(long bytes, string what)
    {
        if (bytes > MaxTensorBytes)
            throw new ResourceLimitException(MaxTensorBytesOption, MaxTensorBytes, bytes, NodeIndex,
                $"node {NodeIndex} ({OperatorName}): bytes of {what}");
    }

    private void CheckOutputBytes(Tensor tensor, ReadOnlySpan<int> shape)
    {
        if (MaxTensorBytes == long.MaxValue) return;
        long bytes = Math.Max(tensor.Type.ElementSize(), 1);
        foreach (int d in shape)
            bytes = bytes > MaxTensorBytes ? bytes : bytes * d; // stops growing once over: no overflow
        if (bytes > MaxTensorBytes)
            throw new ResourceLimitException(MaxTensorBytesOption, MaxTensorBytes, bytes, NodeIndex,
                $"node {NodeIndex} ({OperatorName}): bytes of output '{tensor.Name}' {FormatShape(shape)}");
    }

    /// <summary>The interpreter's cancellation state; null outside an interpreter (tools, tests).</summary>
    internal InvokeCancellation? Cancellation { get; init; }

    /// <summary>
    /// Throws <see cref="OperationCanceledException"/> when the running Invoke was cancelled
    /// (<see cref="Interpreter.Cancel"/> or its token). Long kernel loops call it once per output row or so: a volatile
    /// read, no allocation. A no-op outside an interpreter.
    /// </summary>
    public void ThrowIfCancellationRequested() => Cancellation?.ThrowIfRequested();

    private static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    /// <summary>Checks the number of inputs and outputs, as TFLite's TF_LITE_ENSURE_EQ(NumInputs…) does.</summary>
    public void ExpectArity(int minInputs, int maxInputs, int outputs)
    {
        if (_inputs.Length < minInputs || _inputs.Length > maxInputs)
            throw Error(minInputs == maxInputs
                ? $"expects {minInputs} inputs, has {_inputs.Length}"
                : $"expects {minInputs}..{maxInputs} inputs, has {_inputs.Length}");
        if (_outputs.Length != outputs) throw Error($"expects {outputs} outputs, has {_outputs.Length}");
    }

    /// <summary>Checks a tensor's dtype.</summary>
    public void ExpectType(Tensor tensor, TensorType type, string role)
    {
        if (tensor.Type != type)
            throw Error($"{role} '{tensor.Name}' must be {type.ToDisplayName()}, is {tensor.Type.ToDisplayName()}");
    }

    /// <summary>Checks a tensor's rank.</summary>
    public void ExpectRank(Tensor tensor, int rank, string role)
    {
        if (tensor.Rank != rank)
            throw Error($"{role} '{tensor.Name}' must have rank {rank}, has shape [{string.Join(",", tensor.Shape.ToArray())}]");
    }

    /// <summary>A <see cref="KernelException"/> naming this node; throw it.</summary>
    public KernelException Error(string message) => new(NodeIndex, OperatorName, message);
}
