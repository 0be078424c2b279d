namespace Accel.Operators;

/// <summary>
/// The operators an <see cref="OpDefinition"/> or <see cref="IOpKernel"/> class is for, declared on the class so that
/// discovery can index every class by op code without constructing it: a definition or kernel is built only when a
/// model uses its operator (cold start: constructing every class up front JIT-compiled hundreds of constructors and
/// getters a model never needs). Must name exactly what the instance's <see cref="OpDefinition.Op"/> or
/// <see cref="IOpKernel.Ops"/> returns; this is checked when the instance is built.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class OpCodesAttribute : Attribute
{
    /// <summary>Builtin operators (one or more).</summary>
    public OpCodesAttribute(params BuiltinOperator[] builtins)
    {
        ArgumentNullException.ThrowIfNull(builtins);
        Declared = new OpId[builtins.Length];
        for (int i = 0; i < builtins.Length; i++) Declared[i] = OpId.Of(builtins[i]);
    }

    /// <summary>A custom operator, by its code (<see cref="CustomOps"/>).</summary>
    public OpCodesAttribute(string customCode)
    {
        Declared = [OpId.OfCustom(customCode)];
    }

    /// <summary>The operators declared.</summary>
    public IReadOnlyList<OpId> Ops => Declared;

    internal OpId[] Declared { get; }
}
