using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// Raised by <see cref="RunTimeParameters.ReadIntegers"/> at Prepare when a shape-determining parameter input is
/// computed at run time; <see cref="OpDefinition{TParams}.Prepare"/> turns it into a node resolved at Invoke.
/// </summary>
internal sealed class RunTimeParameterException() : Exception("a shape-determining parameter input is computed at run time");

/// <summary>
/// The params of a node whose shape-determining parameter inputs (begin, size, perm, multiples, paddings, axes …) are
/// computed at run time (TFLite's SetTensorToDynamic): its outputs are dynamic and, at Invoke, the reference kernel
/// runs the definition's own Prepare with those inputs' values, so the rules are written once. The resolved params are
/// kept until a parameter value changes, so steady Invokes allocate nothing.
/// </summary>
internal sealed record RunTimeParameterParams : OpParams
{
    private readonly OpDefinition _definition;
    private readonly List<(Tensor Tensor, byte[] Values)> _read = [];
    private OpParams? _resolved;

    public RunTimeParameterParams(OpDefinition definition) => _definition = definition;

    /// <summary>True while <see cref="Resolve"/> runs the definition: parameter inputs are read by value.</summary>
    internal bool Resolving { get; private set; }

    /// <summary>
    /// Invoke: the params for the parameter values now in the inputs (the definition's Prepare again when a value
    /// changed; it sets the dynamic outputs' shapes). Bad values are the definition's errors, naming the node.
    /// </summary>
    public OpParams Resolve(KernelContext context)
    {
        if (_resolved is not null && ValuesUnchanged()) return _resolved;
        _resolved = null;
        _read.Clear();
        Resolving = true;
        try
        {
            _resolved = _definition.Prepare(context);
        }
        finally
        {
            Resolving = false;
        }
        return _resolved;
    }

    /// <summary>Remembers a parameter input's values, read during <see cref="Resolve"/>.</summary>
    internal void Remember(Tensor tensor) => _read.Add((tensor, tensor.Bytes[..(int)tensor.ByteSize].ToArray()));

    private bool ValuesUnchanged()
    {
        foreach (var (tensor, values) in _read)
            if (!tensor.Bytes[..(int)tensor.ByteSize].SequenceEqual(values)) return false;
        return true;
    }
}

/// <summary>Reading shape-determining parameter inputs that may be computed at run time.</summary>
internal static class RunTimeParameters
{
    /// <summary>
    /// The values of an int32 (or int64 when <paramref name="allowInt64"/>) parameter input, as int32: a constant's
    /// at Prepare; one computed at run time defers the node (its outputs become dynamic) and is read at Invoke.
    /// </summary>
    public static int[] ReadIntegers(KernelContext context, Tensor tensor, string role, bool allowInt64)
    {
        if (tensor.Type != TensorType.Int32 && !(allowInt64 && tensor.Type == TensorType.Int64))
            throw context.Error($"{role} '{tensor.Name}' must be int32{(allowInt64 ? " or int64" : "")}, is {tensor.Type.ToDisplayName()}");
        if (tensor.IsConstant) return ConstantInputs.ReadIntegers(context, tensor, role, allowInt64);
        if (context.Params is not RunTimeParameterParams { Resolving: true } deferred) throw new RunTimeParameterException();
        deferred.Remember(tensor);
        return ConstantInputs.ReadValues(context, tensor, role);
    }

    public static bool IsResolving(KernelContext context) => context.Params is RunTimeParameterParams { Resolving: true };

    /// <summary>Prepare of a node with a run-time parameter input: every output dynamic (shapes set at Invoke).</summary>
    public static RunTimeParameterParams Defer(KernelContext context, OpDefinition definition)
    {
        for (int k = 0; k < context.OutputCount; k++) context.SetOutputDynamic(k);
        // The output size is unknown until Invoke: the cost counts every input read and written once.
        long elements = 0, bytes = 0;
        for (int k = 0; k < context.InputCount; k++)
        {
            if (context.OptionalInput(k) is not { } input) continue;
            elements += input.ElementCount;
            bytes += 2 * input.ByteSize;
        }
        return new RunTimeParameterParams(definition) { Cost = new OpCost(0, elements, bytes) };
    }
}
