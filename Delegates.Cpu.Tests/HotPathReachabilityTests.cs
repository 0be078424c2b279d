using System.Reflection;
using System.Reflection.Emit;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// In an IL build no kernel code runs as tier-0 code during an invoke: from every compiled node's <c>Run</c> and every
/// chunk the pool runs (<see cref="CpuThreadPool.ChunkAction{TState}"/> lambdas), each method of the CPU delegate (or of
/// Runtime.Core's numerics) they call in a loop, or that loops itself — directly, or through methods inlined into them —
/// is optimized at its first call (<see cref="JitHints.Hot"/>), inlined (<c>AggressiveInlining</c>), or small enough
/// that an optimized caller always inlines it. A method that is none
/// of these runs unoptimized until the tiered JIT's call counter promotes it (100 ms after start-up, 30 calls, then a
/// background compile): the int8 depthwise rows of a RELU6 layer ran 10× slower than their steady speed for the first
/// ~170 invokes, and every int8 depthwise layer 2–10× (perf/RESULTS.md, stop 57).
/// </summary>
public sealed class HotPathReachabilityTests
{
#if ACCEL_PRECOMPILED_KERNELS
    private static readonly bool Precompiled = true;
#else
    private static readonly bool Precompiled = false;
#endif

    /// <summary>IL bytes up to which the JIT inlines a callee into an optimized caller whatever its profile (its "always inline" size).</summary>
    private const int AlwaysInlinedIlBytes = 16;

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Assembly Kernels = typeof(CpuDelegate).Assembly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static IEnumerable<MethodBase> Roots()
    {
        foreach (var type in Kernels.GetTypes())
        {
            if (typeof(ICpuCompiledNode).IsAssignableFrom(type) && type.GetMethod(nameof(ICpuCompiledNode.Run), All, [typeof(CpuThreadPool)]) is { } run)
                yield return run;
            // The pool's chunk lambdas: static (in TNode node, int start, int end) => …
            foreach (var method in type.GetMethods(All))
            {
                var parameters = method.GetParameters();
                if (method.Name.Contains("<.cctor>b__", StringComparison.Ordinal) && parameters.Length == 3 && parameters[0].ParameterType.IsByRef
                    && parameters[1].ParameterType == typeof(int) && parameters[2].ParameterType == typeof(int))
                    yield return method;
            }
        }
    }

    /// <summary>
    /// Runtime.Core's numerics that the CPU kernels call per element or per row (the reference's conversions, integer
    /// division, quantization and requantization steps, pooling geometry): the same rule holds for them.
    /// </summary>
    private static bool IsSharedNumerics(Type type) =>
        type.Assembly == typeof(Interpreter).Assembly && type.Namespace is "Accel.Numerics" or "Accel.Kernels.Reference" or "Accel.Operators.Definitions";

    private static bool Has(MethodBase method, MethodImplAttributes flag) => (method.MethodImplementationFlags & flag) != 0;

    /// <summary>One instruction: its offset, opcode and operand's offset.</summary>
    private readonly record struct Instruction(int Offset, OpCode Op, int Operand, int End);

    private static IEnumerable<Instruction> Instructions(byte[] il)
    {
        for (int at = 0; at < il.Length;)
        {
            int offset = at;
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            var op = OpCodesByValue[value];
            at += op.Size;
            int operandSize = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            yield return new Instruction(offset, op, at, at + operandSize);
            at += operandSize;
        }
    }

    /// <summary>The [target, branch] ranges of a method's backward branches: its loops.</summary>
    private static List<(int Begin, int End)> Loops(byte[] il)
    {
        var loops = new List<(int, int)>();
        foreach (var instruction in Instructions(il))
        {
            int? target = instruction.Op.OperandType switch
            {
                OperandType.ShortInlineBrTarget => instruction.End + (sbyte)il[instruction.Operand],
                OperandType.InlineBrTarget => instruction.End + BitConverter.ToInt32(il, instruction.Operand),
                _ => null,
            };
            if (target is { } t && t <= instruction.Offset) loops.Add((t, instruction.Offset));
        }
        return loops;
    }

    /// <summary>The methods a method's IL calls (call, callvirt, newobj, ldftn), resolved in its generic context where possible, and whether the call sits in a loop.</summary>
    private static IEnumerable<(MethodBase Callee, bool InLoop)> Callees(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var loops = Loops(il);
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach (var instruction in Instructions(il))
        {
            var op = instruction.Op;
            if (op.OperandType != OperandType.InlineMethod || !(op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj || op == OpCodes.Ldftn)) continue;
            MethodBase? callee = null;
            try
            {
                callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, instruction.Operand), typeArguments, methodArguments);
            }
            catch (ArgumentException)
            {
            }
            if (callee is not null) yield return (callee, loops.Any(l => instruction.Offset >= l.Begin && instruction.Offset <= l.End));
        }
    }

    /// <summary>A static abstract or interface method's implementations in the kernel assembly (the constrained calls of the generic kernels).</summary>
    private static IEnumerable<MethodBase> Implementations(MethodBase interfaceMethod)
    {
        var declaring = interfaceMethod.DeclaringType!;
        var definition = declaring.IsGenericType ? declaring.GetGenericTypeDefinition() : declaring;
        foreach (var type in Kernels.GetTypes())
        {
            if (type.IsInterface || !type.GetInterfaces().Any(i => (i.IsGenericType ? i.GetGenericTypeDefinition() : i) == definition)) continue;
            foreach (var method in type.GetMethods(All))
                if (method.Name == interfaceMethod.Name || method.Name.EndsWith("." + interfaceMethod.Name, StringComparison.Ordinal))
                    yield return method;
        }
    }

    private static MethodBase Definition(MethodBase method)
    {
        if (method is MethodInfo { IsGenericMethod: true } generic && !generic.IsGenericMethodDefinition) method = generic.GetGenericMethodDefinition();
        if (method.DeclaringType is { IsGenericType: true, IsGenericTypeDefinition: false } type)
            method = MethodBase.GetMethodFromHandle(method.MethodHandle, type.GetGenericTypeDefinition().TypeHandle) ?? method;
        return method;
    }

    /// <summary>Every caller → callee pair on the per-invoke path whose callee would start as tier-0 code.</summary>
    internal static List<string> ColdCallees()
    {
        var visited = new HashSet<MethodBase>();
        var cold = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<MethodBase>(Roots().Select(Definition));
        while (pending.Count > 0)
        {
            var method = pending.Pop();
            if (!visited.Add(method)) continue;
            foreach (var (called, inLoop) in Callees(method))
            {
                IEnumerable<MethodBase> targets = called.DeclaringType is { IsInterface: true } ? Implementations(called) : [called];
                foreach (var target in targets.Select(Definition))
                {
                    if (target.DeclaringType is null || !(target.Module.Assembly == Kernels || IsSharedNumerics(target.DeclaringType))) continue;
                    if (typeof(Exception).IsAssignableFrom(target.DeclaringType) || target.Name.StartsWith("Throw", StringComparison.Ordinal)
                        || target.Name.Contains("Message", StringComparison.Ordinal) || target.Name == nameof(IDisposable.Dispose)) continue;
                    var il = target.GetMethodBody()?.GetILAsByteArray() ?? [];
                    // What runs many times per invoke: a callee with a loop of its own, or one called inside the caller's loop.
                    bool repeated = inLoop || Loops(il).Count > 0;
                    // A struct's constructor (field stores; the primary constructors of the per-pixel helpers) is inlined by an optimized caller.
                    bool inlined = Has(target, MethodImplAttributes.AggressiveInlining) || il.Length <= AlwaysInlinedIlBytes
                        || target is ConstructorInfo { DeclaringType.IsValueType: true };
                    if (repeated && !inlined && !Has(target, MethodImplAttributes.AggressiveOptimization))
                        cold.Add($"{target.DeclaringType.FullName}.{target.Name} ({il.Length} IL bytes{(inLoop ? ", called in a loop" : "")}; from {method.DeclaringType?.Name}.{method.Name})");
                    pending.Push(target);
                }
            }
        }
        return [.. cold];
    }

    [Test]
    public void EveryMethodThePerInvokePathCallsIsOptimizedAtFirstCallOrInlined()
    {
        if (Precompiled) Assert.Ignore("a precompiled build starts every kernel as optimized ReadyToRun code");
        Assert.That(Roots().Count(), Is.GreaterThan(50), "the roots: the compiled nodes' Run and the pool's chunk lambdas");
        var cold = ColdCallees();
        Assert.That(cold, Is.Empty, string.Join(Environment.NewLine, cold));
    }
}
