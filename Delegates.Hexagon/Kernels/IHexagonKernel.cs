using Accel.Operators;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>
/// One operator family on the DSP (one class per file, found by <see cref="KernelRegistry{TKernel}.Discover"/>): what it
/// refuses of a node its core definition accepted, and how the node becomes words of the DSP node table.
/// </summary>
internal interface IHexagonKernel : IOpKernel
{
    NodeSupport Supports(DelegateNode node);

    void Emit(DelegateNode node, HexagonGraphBuilder graph);
}

/// <summary>An 8-bit quantized kernel reading its definition's <typeparamref name="TParams"/>.</summary>
internal abstract class HexagonKernel<TParams> : IHexagonKernel where TParams : OpParams
{
    public abstract IReadOnlyList<OpId> Ops { get; }

    public virtual IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.UInt8];

    public NodeSupport Supports(DelegateNode node) => Supports(node, node.ParamsAs<TParams>());

    public void Emit(DelegateNode node, HexagonGraphBuilder graph) => Emit(node, node.ParamsAs<TParams>(), graph);

    protected virtual NodeSupport Supports(DelegateNode node, TParams parameters) => NodeSupport.Supported;

    protected abstract void Emit(DelegateNode node, TParams parameters, HexagonGraphBuilder graph);

    /// <summary>1 for int8 (sign-extended loads), 0 for uint8.</summary>
    protected static int Signed(Tensor tensor) => tensor.Type == TensorType.Int8 ? 1 : 0;

    /// <summary>A shape as four dims, 1s in front (the DSP kernels walk rank-4 shapes).</summary>
    protected static void AddDims4(HexagonGraphBuilder graph, ReadOnlySpan<int> shape)
    {
        for (int i = 0; i < 4 - shape.Length; i++) graph.Add(1);
        foreach (int d in shape) graph.Add(d);
    }

    protected static void AddMultipliers(HexagonGraphBuilder graph, Accel.Operators.Definitions.QuantizedConvParams q)
    {
        foreach (var m in q.Multipliers) graph.Add(m.Multiplier, m.Shift);
    }
}
