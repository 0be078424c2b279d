using System.Collections.Frozen;
using System.Reflection;
using Accel.Delegates;

namespace Accel.Operators;

/// <summary>
/// One backend's implementation of one or more operators (a kernel). Every backend's kernel interface extends this,
/// and every backend finds its kernels the same way: <see cref="KernelRegistry{TKernel}.Discover"/>.
/// </summary>
public interface IOpKernel
{
    /// <summary>The operators this kernel implements (each must have an <see cref="OpDefinition"/>).</summary>
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
/// A backend's kernels by operator, discovered by reflection over one assembly: every concrete class implementing
/// <typeparamref name="TKernel"/> with a parameterless constructor, instantiated once. Two kernels claiming one
/// operator, or a kernel for an operator with no core definition, is an error at construction.
/// </summary>
public sealed class KernelRegistry<TKernel> : IKernelCatalog where TKernel : class, IOpKernel
{
    private readonly FrozenDictionary<OpId, TKernel> _byOp;

    private KernelRegistry(string backend, FrozenDictionary<OpId, TKernel> byOp)
    {
        Backend = backend;
        _byOp = byOp;
    }

    /// <summary>The backend's name, for refusal reasons ("cpu", "vulkan" …).</summary>
    public string Backend { get; }

    /// <summary>Every operator with a kernel.</summary>
    public IEnumerable<OpId> Ops => _byOp.Keys;

    /// <summary>Finds every <typeparamref name="TKernel"/> in <paramref name="assembly"/>.</summary>
    public static KernelRegistry<TKernel> Discover(string backend, Assembly assembly)
    {
        var map = new Dictionary<OpId, TKernel>();
        var types = assembly.GetTypes()
            .Where(t => typeof(TKernel).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in types)
        {
            var kernel = (TKernel)Activator.CreateInstance(type, nonPublic: true)!;
            foreach (var op in kernel.Ops)
            {
                if (OpDefinitions.Find(op) is null)
                    throw new InvalidOperationException($"{backend} kernel {type.Name} implements {op.Name}, which has no OpDefinition in Runtime.Core");
                if (!map.TryAdd(op, kernel))
                    throw new InvalidOperationException($"{backend}: {op.Name} is claimed by both {map[op].GetType().Name} and {type.Name}");
            }
        }
        return new KernelRegistry<TKernel>(backend, map.ToFrozenDictionary());
    }

    /// <summary>The kernel for <paramref name="op"/>, or null.</summary>
    public TKernel? Find(OpId op) => _byOp.GetValueOrDefault(op);

    /// <summary>The kernel for a model's operator code, or null.</summary>
    public TKernel? Find(OperatorCode code) => Find(OpId.From(code));

    public NodeSupport Covers(OpId op, TensorType type)
    {
        if (Find(op) is not { } kernel) return NodeSupport.Refuse($"{op.Name} has no {Backend} kernel");
        return kernel.Types.Contains(type)
            ? NodeSupport.Supported
            : NodeSupport.Refuse($"the {Backend} kernel of {op.Name} runs {string.Join(", ", kernel.Types.Select(t => t.ToDisplayName()))}, not {type.ToDisplayName()}");
    }
}
