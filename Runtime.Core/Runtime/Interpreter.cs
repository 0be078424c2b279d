using System.Runtime.CompilerServices;
using Accel.Delegates;
using Accel.Kernels;
using Accel.Operators;

namespace Accel;

/// <summary>
/// Runs the main subgraph of a <see cref="Model"/> with the reference kernels (or a caller's resolver), following
/// TFLite's Interpreter: construct, <see cref="AllocateTensors"/>, fill inputs, <see cref="Invoke()"/>, read outputs.
/// Activations live in one planned arena; constants point into the model; nodes whose inputs are all constant
/// (DEQUANTIZE of fp16 weights, DENSIFY) run once at allocate time. Tensors whose shape depends on input values
/// (FILL with run-time dims, RANGE, TOPK_V2 with a run-time k …) are dynamic, as in TFLite: each gets a buffer of its
/// own outside the arena, sized at Invoke, and the nodes reading them are prepared at Invoke; after Invoke an output's
/// <see cref="Tensor.Shape"/> is its actual shape. <see cref="Invoke()"/> allocates nothing once shapes are steady.
/// The interpreter orchestrates parts with one job each: <see cref="DataflowCheck"/> (construction),
/// <see cref="ConstantFolder"/> (shape propagation and folding), <see cref="MemoryPlanner"/> (constants and the
/// arena), <see cref="DelegatePlanner"/> (claims, partitions, compilation) and <see cref="ExecutionSteps"/> (Invoke).
/// </summary>
public sealed unsafe class Interpreter : IDisposable
{
    private readonly Model _model;
    private readonly ModelSubgraph _subgraph;
    private readonly Tensor[] _tensors;
    private readonly InterpreterNode[] _nodes;
    private readonly DiagnosticLog _diagnostics;
    private readonly ConstantFolder _folder;
    private readonly MemoryPlanner _memory;
    private readonly DelegatePlanner _planner;
    private readonly DynamicTensorMemory _dynamic;
    private bool _allocated;
    private bool _disposed;
    private int _modelLeaseHeld = 1;
    private readonly InvokeCancellation _cancellation = new();

    /// <summary>True once this interpreter took its options' delegates (released at Dispose or a failed constructor).</summary>
    private bool _ownsDelegates;

    /// <summary>1 while a call that uses the arena runs (Invoke, AllocateTensors …): one thread at a time.</summary>
    private int _busy;
    private ExecutionPlan? _plan;

    /// <summary>The steps of the last plan; null until planned (and while AllocateTensors re-plans).</summary>
    private ExecutionSteps? _execution;

    public Interpreter(Model model, InterpreterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        // The model stays mapped while this interpreter lives, even if its owner disposes it (no use after free).
        model.AcquireLease();
        _model = model;
        try
        {
            Options = options ?? new InterpreterOptions();
            if (Options.Threads < 1) throw new ArgumentOutOfRangeException(nameof(options), "Threads must be at least 1.");
            if (!Options.TryOwnDelegates())
                throw new InterpreterStateException(
                    "These InterpreterOptions' delegates belong to another live interpreter (an interpreter owns its delegates " +
                    "and disposes them): give each interpreter its own options and delegate instances; share the Model instead.");
            _ownsDelegates = true;
            AdoptDelegates();
            _diagnostics = new DiagnosticLog(Options);
            var resolver = Options.OpResolver ?? OpResolver.CreateReference();
            _subgraph = model.MainSubgraph;
            if (_subgraph.Operators.Length > Options.MaxNodeCount)
                throw new ResourceLimitException("InterpreterOptions.MaxNodeCount", Options.MaxNodeCount, _subgraph.Operators.Length, -1,
                    "nodes in the main subgraph");

            _tensors = new Tensor[_subgraph.Tensors.Length];
            for (int i = 0; i < _tensors.Length; i++)
            {
                var t = _subgraph.Tensors[i];
                _tensors[i] = new Tensor(i, t.Name, t.Type, (int[])t.Shape.Clone(), t.ShapeSignature, t.Quantization, t.Sparsity, t.IsVariable);
            }

            _dynamic = new DynamicTensorMemory(_tensors.Length, Options.MaxMemoryBytes);
            var unsupported = new List<UnsupportedOperator>();
            _nodes = new InterpreterNode[_subgraph.Operators.Length];
            for (int n = 0; n < _nodes.Length; n++)
            {
                var op = _subgraph.Operators[n];
                var code = model.OperatorCodeOf(op);
                if (!resolver.TryResolve(code, out var factory, out var reason))
                {
                    unsupported.Add(new UnsupportedOperator(n, code.Name, code.Version, reason));
                    continue;
                }
                var customOptions = op.CustomOptions.Length == 0 ? ReadOnlyMemory<byte>.Empty : model.GetBytes(op.CustomOptions).ToArray();
                _nodes[n] = new InterpreterNode
                {
                    Index = n,
                    Code = code,
                    Kernel = factory!(),
                    Definition = OpDefinitions.Find(OpId.From(code)),
                    Operator = op,
                    Context = new KernelContext(n, code.Name, code.Version, op.Options, customOptions, op.Inputs, op.Outputs, _tensors)
                    {
                        DynamicMemory = _dynamic,
                        Cancellation = _cancellation,
                        // No tensor can be larger than the whole memory budget either.
                        MaxTensorBytes = Math.Min(Options.MaxTensorBytes, Options.MaxMemoryBytes),
                        MaxTensorBytesOption = Options.MaxMemoryBytes < Options.MaxTensorBytes
                            ? "InterpreterOptions.MaxMemoryBytes" : "InterpreterOptions.MaxTensorBytes",
                    },
                };
            }
            if (unsupported.Count > 0) throw new UnsupportedOperatorException(unsupported);
            DataflowCheck.Run(model, _subgraph, _tensors, _nodes);
            Graph = new InterpreterGraph(_nodes);
            _folder = new ConstantFolder(_subgraph, _tensors, Options);
            _memory = new MemoryPlanner(model, _subgraph, _tensors, _nodes, Options);
            _planner = new DelegatePlanner(_subgraph, _tensors, _nodes, Options, _memory, _diagnostics, _cancellation);
        }
        catch
        {
            ReleaseModelLease();
            if (_ownsDelegates)
            {
                ReleaseDelegateOwnership();
                Options!.ReleaseDelegates();
            }
            throw;
        }
    }

    /// <summary>
    /// Records this interpreter as the owner of each delegate instance (<see cref="IAccelDelegate.Ownership"/>): an
    /// instance a live interpreter built on other options owns, or one listed twice, is refused before anything uses it.
    /// </summary>
    private void AdoptDelegates()
    {
        var delegates = Options.Delegates;
        for (int i = 0; i < delegates.Count; i++)
        {
            var ownership = delegates[i].Delegate.Ownership;
            if (ownership is null || ownership.TryAdopt(this)) continue;
            var name = delegates[i].Delegate.Name;
            throw new InterpreterStateException(ownership.IsOwnedBy(this)
                ? $"InterpreterOptions.Delegates[{i}] (delegate '{name}') is the same instance as an earlier entry: an interpreter " +
                  "disposes each of its delegates, so list an instance once."
                : $"InterpreterOptions.Delegates[{i}] (delegate '{name}') belongs to another live interpreter (an interpreter owns " +
                  "its delegates and disposes them): give each interpreter its own delegate instance; share the Model instead.");
        }
    }

    private void ReleaseDelegateOwnership()
    {
        foreach (var selection in Options.Delegates) selection.Delegate.Ownership?.Release(this);
    }

    public InterpreterOptions Options { get; }
    public Model Model => _model;
    public int InputCount => _subgraph.Inputs.Length;
    public int OutputCount => _subgraph.Outputs.Length;
    public int NodeCount => _nodes.Length;
    public IReadOnlyList<Tensor> Tensors => _tensors;

    /// <summary>Bytes of the planned activation arena (valid after <see cref="AllocateTensors"/>).</summary>
    public long ArenaBytes => _memory.ArenaBytes;

    /// <summary>Bytes of constants computed at allocate time (e.g. fp16 weights widened to fp32).</summary>
    public long FoldedConstantBytes => _folder.FoldedBytes;

    /// <summary>
    /// Bytes of the buffers of dynamic tensors (shapes known only at Invoke, outside the arena), as sized by the
    /// Invokes since the last <see cref="AllocateTensors"/>; they grow only when a larger shape comes.
    /// </summary>
    public long DynamicTensorBytes => _dynamic.Bytes;

    /// <summary>
    /// Read-only view of the graph for tools: per node its operator, tensors, folding, params and cost, and the
    /// plan as Graphviz DOT.
    /// </summary>
    public InterpreterGraph Graph { get; }

    public Tensor GetInputTensor(int input) => _tensors[_subgraph.Inputs[CheckInput(input)]];
    public Tensor GetOutputTensor(int output) => _tensors[_subgraph.Outputs[CheckOutput(output)]];
    public Tensor GetTensor(int tensorIndex)
    {
        if ((uint)tensorIndex >= (uint)_tensors.Length)
            throw new TensorAccessException($"Tensor index {tensorIndex} is out of range (0..{_tensors.Length - 1}).");
        return _tensors[tensorIndex];
    }

    /// <summary>Index into the inputs of the input named <paramref name="name"/>.</summary>
    public int GetInputIndex(string name)
    {
        for (int i = 0; i < _subgraph.Inputs.Length; i++)
            if (_tensors[_subgraph.Inputs[i]].Name == name) return i;
        throw new TensorAccessException($"No input named '{name}'. Inputs: {string.Join(", ", Enumerable.Range(0, InputCount).Select(i => GetInputTensor(i).Name))}.");
    }

    public int GetOutputIndex(string name)
    {
        for (int i = 0; i < _subgraph.Outputs.Length; i++)
            if (_tensors[_subgraph.Outputs[i]].Name == name) return i;
        throw new TensorAccessException($"No output named '{name}'. Outputs: {string.Join(", ", Enumerable.Range(0, OutputCount).Select(i => GetOutputTensor(i).Name))}.");
    }

    public IReadOnlyList<TensorDetails> GetInputDetails() => _subgraph.Inputs.Select(Details).ToArray();
    public IReadOnlyList<TensorDetails> GetOutputDetails() => _subgraph.Outputs.Select(Details).ToArray();

    private TensorDetails Details(int index)
    {
        var t = _tensors[index];
        return new TensorDetails(t.Name, index, t.Shape.ToArray(), t.ShapeSignature, t.Type, t.Quantization);
    }

    /// <summary>Typed writable view of input <paramref name="input"/> (checks the dtype).</summary>
    public Span<T> Input<T>(int input) where T : unmanaged
    {
        ThrowIfNotAllocated(nameof(Input));
        return GetInputTensor(input).Write<T>();
    }

    /// <summary>Typed read-only view of output <paramref name="output"/> (checks the dtype).</summary>
    public ReadOnlySpan<T> Output<T>(int output) where T : unmanaged
    {
        ThrowIfNotAllocated(nameof(Output));
        return GetOutputTensor(output).Read<T>();
    }

    /// <summary>Copies <paramref name="values"/> into input <paramref name="input"/>; dtype and element count must match.</summary>
    public void SetInput<T>(int input, ReadOnlySpan<T> values) where T : unmanaged
    {
        ThrowIfNotAllocated(nameof(SetInput));
        GetInputTensor(input).CopyFrom(values);
    }

    /// <summary>
    /// Changes the shape of an input; the next <see cref="AllocateTensors"/> re-propagates shapes and re-plans memory.
    /// Dimensions fixed in the model's shape signature (not -1) must keep their value.
    /// </summary>
    public void ResizeInputTensor(int input, ReadOnlySpan<int> shape)
    {
        var tensor = GetInputTensor(input);
        foreach (int d in shape)
            if (d < 1) throw new TensorAccessException($"Cannot resize input '{tensor.Name}' to [{string.Join(",", shape.ToArray())}]: dimensions must be positive.");
        var signature = tensor.ShapeSignature;
        if (signature.Length > 0)
        {
            if (signature.Length != shape.Length)
                throw new TensorAccessException($"Cannot resize input '{tensor.Name}' to rank {shape.Length}: its signature [{string.Join(",", signature)}] has rank {signature.Length}.");
            for (int i = 0; i < shape.Length; i++)
                if (signature[i] != -1 && signature[i] != shape[i])
                    throw new TensorAccessException($"Cannot resize input '{tensor.Name}' dimension {i} to {shape[i]}: the model fixes it at {signature[i]} (signature [{string.Join(",", signature)}]).");
        }
        if (tensor.Shape.SequenceEqual(shape)) return;
        tensor.SetShape(shape.ToArray());
        _allocated = false;
    }

    /// <summary>
    /// Propagates shapes through every kernel's Prepare, folds constant nodes, plans the arena and points every
    /// tensor at its memory. Needed before the first <see cref="Invoke()"/> and after a resize.
    /// </summary>
    public void AllocateTensors()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Enter(nameof(AllocateTensors));
        try
        {
            Allocate();
        }
        finally
        {
            Exit();
        }
    }

    private void Allocate()
    {
        ReleaseMemory();

        // Constants point into the model's memory; shapes propagate in execution order, and nodes fed only by
        // constants run once, now. The arena is planned by the delegate planner, once the partitions fix the order
        // nodes run in.
        _memory.BindModelConstants();
        _folder.PrepareAndFold(_nodes);
        _execution = null; // while (re)planning there are no steps, and FellBackToReference is false
        (_plan, _execution) = _planner.Build(_folder.FoldedBytes);
        _allocated = true;
    }

    /// <summary>Runs the plan: reference nodes and delegate partitions, in order. Allocates nothing on the managed heap.</summary>
    public void Invoke() => Invoke(CancellationToken.None);

    /// <summary>
    /// As <see cref="Invoke()"/>, stopping early when <paramref name="cancellationToken"/> is cancelled or
    /// <see cref="Cancel"/> is called: checked before every step (a reference node or a whole delegate partition) and
    /// inside the long reference loops (convolutions, matrix products: once per output row). A cancelled invoke throws
    /// <see cref="OperationCanceledException"/>; its outputs are undefined, and the interpreter stays usable (the
    /// next Invoke runs normally). A device delegate's partition, once submitted, runs to its end or its timeout.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public void Invoke(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Enter(nameof(Invoke));
        try
        {
            if (!_allocated) throw new InterpreterStateException("Invoke() called before AllocateTensors() (or after a resize without it).");
            _cancellation.Begin(cancellationToken);
            _execution!.Run();
        }
        finally
        {
            _cancellation.End();
            Exit();
        }
    }

    /// <summary>
    /// Asks the Invoke running on another thread to stop at its next check (TFLite's Interpreter::Cancel); it then
    /// throws <see cref="OperationCanceledException"/>. Safe from any thread; a Cancel made while no Invoke runs does
    /// not affect the next one.
    /// </summary>
    public void Cancel() => _cancellation.Request();

    /// <summary>
    /// Runs the plan once like <see cref="Invoke()"/>, timing every step (a reference node or a whole delegate
    /// partition). For profiling tools; unlike Invoke it allocates its result.
    /// </summary>
    public IReadOnlyList<StepTiming> InvokeProfiled() => InvokeProfiled(insidePartitions: false);

    /// <summary>
    /// <see cref="InvokeProfiled()"/>; with <paramref name="insidePartitions"/>, a delegate partition whose kernel can
    /// time its own units of work (<see cref="INodeTimingPartitionKernel"/>; the CPU delegate's) gives one timing per
    /// unit, in the plan as it runs: the same fusions, threads and parallelism choice (a fused unit covers its nodes).
    /// </summary>
    public IReadOnlyList<StepTiming> InvokeProfiled(bool insidePartitions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Enter(nameof(InvokeProfiled));
        try
        {
            if (!_allocated) throw new InterpreterStateException("InvokeProfiled() called before AllocateTensors().");
            _cancellation.Begin(CancellationToken.None);
            return _execution!.RunProfiled(insidePartitions);
        }
        finally
        {
            _cancellation.End();
            Exit();
        }
    }

    /// <summary>True once an invoke-time delegate failure switched this interpreter to the reference kernels.</summary>
    public bool FellBackToReference => _execution?.FellBack ?? false;

    /// <summary>Diagnostics: delegate compile failures given back to other executors, fallbacks.</summary>
    public IReadOnlyList<string> Diagnostics => _diagnostics.Messages;

    /// <summary>The plan made by the last AllocateTensors: partitions, executors, refusals.</summary>
    public ExecutionPlan Plan => _plan ?? throw new InterpreterStateException("No plan yet: call AllocateTensors() first.");

    /// <summary>
    /// The node's work in the unit of the cost-aware policy: <see cref="OpCost.Operations"/> of the cost its
    /// definition computed (the same as <c>node.Cost.Operations</c>, which new code should read).
    /// </summary>
    public static long OperationCount(DelegateNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Cost.Operations;
    }

    /// <summary>A runner for a SignatureDef (TFLite's get_signature_runner); null key takes the only signature.</summary>
    public SignatureRunner GetSignatureRunner(string? key = null)
    {
        var signatures = _model.Signatures;
        if (signatures.Count == 0) throw new TensorAccessException("The model has no signatures.");
        SignatureDefinition? signature = key is null
            ? (signatures.Count == 1 ? signatures[0] : throw new TensorAccessException($"The model has {signatures.Count} signatures; name one: {string.Join(", ", signatures.Select(s => s.Key))}."))
            : signatures.FirstOrDefault(s => s.Key == key)
              ?? throw new TensorAccessException($"No signature '{key}'. Signatures: {string.Join(", ", signatures.Select(s => s.Key))}.");
        if (signature.SubgraphIndex != 0)
            throw new TensorAccessException($"Signature '{signature.Key}' runs subgraph {signature.SubgraphIndex}; only the main subgraph (0) is executed by this interpreter.");
        return new SignatureRunner(this, signature);
    }

    private int CheckInput(int input)
    {
        if ((uint)input >= (uint)_subgraph.Inputs.Length)
            throw new TensorAccessException($"Input index {input} is out of range; the model has {_subgraph.Inputs.Length} inputs.");
        return input;
    }

    private int CheckOutput(int output)
    {
        if ((uint)output >= (uint)_subgraph.Outputs.Length)
            throw new TensorAccessException($"Output index {output} is out of range; the model has {_subgraph.Outputs.Length} outputs.");
        return output;
    }

    private void ReleaseMemory()
    {
        // Null only when the constructor threw.
        _planner?.Release();
        _folder?.Release();
        _memory?.Release();
        _dynamic?.Release();
        _allocated = false;
    }

    public void Dispose()
    {
        if (_disposed) return;
        Enter(nameof(Dispose));
        _disposed = true;
        ReleaseMemory();
        ReleaseModelLease();
        foreach (var selection in Options.Delegates) selection.Delegate.Dispose();
        ReleaseDelegateOwnership();
        Options.ReleaseDelegates();
        foreach (var t in _tensors)
        {
            t.Data = null;
            t.DataLength = 0;
            t.Storage = TensorStorage.Unallocated;
        }
    }

    // No finalizer: the arena, folded constants and dynamic buffers are SafeHandles (NativeBuffer) that free themselves
    // if the interpreter is never disposed; delegates own their device resources the same way. A finalizer here would
    // run delegate code on the finalizer thread.

    private void ReleaseModelLease()
    {
        if (Interlocked.Exchange(ref _modelLeaseHeld, 0) == 1) _model.ReleaseLease();
    }

    /// <summary>
    /// Marks the interpreter busy; a second thread calling in meanwhile gets a typed error instead of sharing the
    /// arena (an interpreter is used by one thread at a time; a Model is shared freely). One interlocked exchange.
    /// </summary>
    private void Enter(string call)
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InterpreterStateException(
                $"{call}() called while another call is running on this interpreter: an Interpreter is used by one thread " +
                "at a time (create one interpreter per thread; they can share one Model).");
    }

    private void Exit() => Volatile.Write(ref _busy, 0);

    private void ThrowIfNotAllocated(string call)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_allocated) throw new InterpreterStateException($"{call}() called before AllocateTensors() (or after a resize without it): tensors have no memory yet.");
    }
}
