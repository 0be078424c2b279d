using System.Reflection;
using Accel.Delegates;

namespace Accel.Operators;

/// <summary>
/// One backend's implementation of one or more operators (a kernel). Every backend's kernel interface extends this,
/// and every backend finds its kernels the same way: <see cref="KernelIndex{TKernel}.Discover"/>, by the
/// <see cref="OpCodesAttribute"/> on each kernel class.
/// </summary>
public interface IOpKernel
{
    /// <summary>The operators this kernel implements (each must have an <see cref="OpDefinition"/>); the class's <see cref="OpCodesAttribute"/> names the same.</summary>
    IReadOnlyList<OpId> Ops { get; }

    /// <summary>The dtypes (of the op's data tensors) this kernel runs; the coverage matrix reads it.</summary>
    IReadOnlyList<TensorType> Types => [TensorType.Float32];
}

/// <summary>What a backend can run, per operator and dtype, with the reason where it cannot: the coverage matrix's source.</summary>
public interface IKernelCatalog
{
    /// <summary>Whether the backend has a kernel for <paramref name="op"/> on <paramref name="type"/>; otherwise why not.</summary>
    NodeSupport Covers(OpId op, TensorType type);
}

/// <summary>
/// A backend's kernel classes by operator, found by reflection over one assembly without constructing any: every
/// concrete class implementing <typeparamref name="TKernel"/> with a parameterless constructor, keyed by its
/// <see cref="OpCodesAttribute"/>. Immutable, so one index can serve a whole process; the kernels themselves are built
/// by each <see cref="KernelRegistry{TKernel}"/> made from it, when first asked for. Two classes claiming one operator,
/// or a kernel for an operator with no core definition, is an error here.
/// </summary>
public sealed class KernelIndex<TKernel> where TKernel : class, IOpKernel
{
    // A plain Dictionary, never written after construction: FrozenDictionary<OpId, int> would JIT-compile a dozen more
    // value-type instantiations at start-up for lookups that happen once per node at compile time.
    private readonly Dictionary<OpId, int> _slotByOp;

    private KernelIndex(string backend, Type[] classes, OpId[]?[] declared, TKernel?[] prebuilt, Dictionary<OpId, int> slotByOp)
    {
        Backend = backend;
        Classes = classes;
        Declared = declared;
        Prebuilt = prebuilt;
        _slotByOp = slotByOp;
    }

    /// <summary>The backend's name, for refusal reasons ("cpu", "vulkan" …).</summary>
    public string Backend { get; }

    /// <summary>Every operator with a kernel.</summary>
    public IEnumerable<OpId> Ops => _slotByOp.Keys;

    /// <summary>The kernel classes, one slot each (several operators may share a slot).</summary>
    internal Type[] Classes { get; }

    /// <summary>What each class's <see cref="OpCodesAttribute"/> declares (null: none).</summary>
    internal OpId[]?[] Declared { get; }

    /// <summary>Kernels of classes without <see cref="OpCodesAttribute"/>, which had to be built to learn their operators.</summary>
    internal TKernel?[] Prebuilt { get; }

    internal bool TryGetSlot(OpId op, out int slot) => _slotByOp.TryGetValue(op, out slot);

    /// <summary>Finds every <typeparamref name="TKernel"/> class in <paramref name="assembly"/>.</summary>
    public static KernelIndex<TKernel> Discover(string backend, Assembly assembly)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentNullException.ThrowIfNull(assembly);
        var classes = OpClasses.Find(assembly, typeof(TKernel));
        var declared = new OpId[]?[classes.Length];
        var prebuilt = new TKernel?[classes.Length];
        var map = new Dictionary<OpId, int>();
        for (int slot = 0; slot < classes.Length; slot++)
        {
            var type = classes[slot];
            // An array, not IReadOnlyList<OpId>: interface calls on an array of a value type are JIT-compiled at
            // start-up even in a ReadyToRun build (perf/RESULTS.md, cold start).
            OpId[]? ops = declared[slot] = OpClasses.Declared(type);
            if (ops is null)
            {
                // No [OpCodes]: the only way to learn its operators is to build it (the pre-index way; still works).
                prebuilt[slot] = OpClasses.Create<TKernel>(type);
                var built = prebuilt[slot]!.Ops;
                ops = new OpId[built.Count];
                for (int i = 0; i < ops.Length; i++) ops[i] = built[i];
            }
            for (int i = 0; i < ops.Length; i++)
            {
                var op = ops[i];
                if (!OpDefinitions.IsDefined(op))
                    throw new InvalidOperationException($"{backend} kernel {type.Name} implements {op.Name}, which has no OpDefinition in Runtime.Core");
                if (!map.TryAdd(op, slot))
                    throw new InvalidOperationException($"{backend}: {op.Name} is claimed by both {classes[map[op]].Name} and {type.Name}");
            }
        }
        return new KernelIndex<TKernel>(backend, classes, declared, prebuilt, map);
    }

    /// <summary>A registry over these classes with no kernel built yet (the ones without <see cref="OpCodesAttribute"/> aside).</summary>
    public KernelRegistry<TKernel> CreateRegistry() => new(this);
}

/// <summary>
/// A backend's kernels by operator: each kernel is built the first time its operator is asked for, once per registry,
/// so a model's load constructs (and JIT-compiles) only the kernels of the operators it uses. Kernels are stateless;
/// an owner (a delegate instance) keeps its registry to itself, so no cache is shared through static state. Safe to
/// use from several threads (a race builds a kernel twice and keeps one).
/// </summary>
public sealed class KernelRegistry<TKernel> : IKernelCatalog where TKernel : class, IOpKernel
{
    private readonly KernelIndex<TKernel> _index;
    private readonly TKernel?[] _built;

    internal KernelRegistry(KernelIndex<TKernel> index)
    {
        _index = index;
        _built = (TKernel?[])index.Prebuilt.Clone();
    }

    /// <summary>Finds the kernel classes of <paramref name="assembly"/> and returns a registry over them (see <see cref="KernelIndex{TKernel}"/>).</summary>
    public static KernelRegistry<TKernel> Discover(string backend, Assembly assembly) => KernelIndex<TKernel>.Discover(backend, assembly).CreateRegistry();

    /// <summary>The backend's name, for refusal reasons ("cpu", "vulkan" …).</summary>
    public string Backend => _index.Backend;

    /// <summary>Every operator with a kernel (built or not).</summary>
    public IEnumerable<OpId> Ops => _index.Ops;

    /// <summary>How many kernels this registry has built so far (a kernel serving several operators counts once).</summary>
    public int BuiltCount
    {
        get
        {
            int count = 0;
            for (int i = 0; i < _built.Length; i++)
                if (Volatile.Read(ref _built[i]) is not null) count++;
            return count;
        }
    }

    /// <summary>Whether the kernel of <paramref name="op"/> has been built.</summary>
    public bool IsBuilt(OpId op) => _index.TryGetSlot(op, out int slot) && Volatile.Read(ref _built[slot]) is not null;

    /// <summary>The kernel for <paramref name="op"/> (built now if this is the first ask), or null.</summary>
    public TKernel? Find(OpId op)
    {
        if (!_index.TryGetSlot(op, out int slot)) return null;
        return Volatile.Read(ref _built[slot]) ?? Build(slot);
    }

    /// <summary>The kernel for a model's operator code, or null.</summary>
    public TKernel? Find(OperatorCode code) => Find(OpId.From(code));

    public NodeSupport Covers(OpId op, TensorType type)
    {
        if (Find(op) is not { } kernel) return NodeSupport.Refuse($"{op.Name} has no {Backend} kernel");
        return kernel.Types.Contains(type)
            ? NodeSupport.Supported
            : NodeSupport.Refuse($"the {Backend} kernel of {op.Name} runs {string.Join(", ", kernel.Types.Select(t => t.ToDisplayName()))}, not {type.ToDisplayName()}");
    }

    private TKernel Build(int slot)
    {
        var type = _index.Classes[slot];
        var kernel = OpClasses.Create<TKernel>(type);
        if (_index.Declared[slot] is { } declared) OpClasses.CheckDeclared(type, declared, kernel.Ops, $"{Backend} kernel");
        return Interlocked.CompareExchange(ref _built[slot], kernel, null) ?? kernel;
    }
}
