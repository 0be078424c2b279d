using System.Reflection;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// A kernel class built on a generic base over an op struct (<c>UnaryElementwiseKernel&lt;LogisticOp&gt;</c>,
/// <c>BinaryElementwiseKernel&lt;AddOp&gt;</c>, …) is entered through its own methods: crossgen2 compiles a generic
/// instantiation's methods only where compiled code calls them directly, and the registry reaches a kernel through
/// virtual and interface calls, so an entry point left on the generic base — and every node it builds — was
/// JIT-compiled at start-up in the ReadyToRun build (cold start, issue 20: perf/RESULTS.md).
/// </summary>
public sealed class ReadyToRunEntryPointTests
{
    private const BindingFlags Instance = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;

    /// <summary>Every concrete CPU kernel class with a generic base (other than CpuKernel&lt;TParams&gt;) over a value type, and that base.</summary>
    private static IEnumerable<(Type Kernel, Type GenericBase)> KernelsOnGenericOpBases()
    {
        foreach (var type in typeof(CpuDelegate).Assembly.GetTypes())
        {
            if (type is not { IsClass: true, IsAbstract: false } || !typeof(ICpuKernel).IsAssignableFrom(type)) continue;
            for (var b = type.BaseType; b is not null; b = b.BaseType)
                if (b.IsConstructedGenericType && b.GetGenericTypeDefinition() != typeof(CpuKernel<>) && b.GenericTypeArguments.Any(a => a.IsValueType))
                {
                    yield return (type, b);
                    break;
                }
        }
    }

    private static Type ParamsType(Type kernel)
    {
        for (var b = kernel.BaseType; b is not null; b = b.BaseType)
            if (b.IsConstructedGenericType && b.GetGenericTypeDefinition() == typeof(CpuKernel<>)) return b.GenericTypeArguments[0];
        throw new InvalidOperationException($"{kernel.Name} is not a CpuKernel<TParams>");
    }

    [Test]
    public void TheCorpusOpsAreAmongTheKernelsChecked()
    {
        var checkedKernels = KernelsOnGenericOpBases().Select(k => k.Kernel.Name).ToList();
        Assert.That(checkedKernels, Is.SupersetOf(new[] { "AddCpuKernel", "MulCpuKernel", "ReluCpuKernel", "Relu6CpuKernel", "LogisticCpuKernel", "LessCpuKernel" }));
    }

    [Test]
    public void EveryKernelOnAGenericOpBaseDeclaresTheCompileThatRuns()
    {
        foreach (var (kernel, genericBase) in KernelsOnGenericOpBases())
        {
            var compile = kernel.GetMethod("Compile", Instance, [typeof(DelegateNode), ParamsType(kernel)]);
            Assert.That(compile, Is.Not.Null, kernel.Name);
            Assert.That(compile!.DeclaringType, Is.EqualTo(kernel),
                $"{kernel.Name}: Compile runs on {genericBase.Name}; override it in the kernel class, calling base.Compile");
        }
    }

    [Test]
    public void EveryFusionEntryPointOfAKernelOnAGenericOpBaseIsDeclaredByTheKernel()
    {
        Type[] fusions = [typeof(IFusesFollowingClamp), typeof(IFusesChannelPad), typeof(IClampActivationKernel), typeof(IFusesLeadingPad)];
        int mapped = 0;
        foreach (var (kernel, genericBase) in KernelsOnGenericOpBases())
            foreach (var fusion in fusions.Where(f => f.IsAssignableFrom(kernel)))
                foreach (var target in kernel.GetInterfaceMap(fusion).TargetMethods)
                {
                    mapped++;
                    Assert.That(target.DeclaringType, Is.EqualTo(kernel),
                        $"{kernel.Name}: {fusion.Name}.{target.Name} runs on {genericBase.Name}; re-implement the interface in the kernel class");
                }
        Assert.That(mapped, Is.GreaterThanOrEqualTo(3 * 3 + 4), "ADD, SUB, MUL (three fusion members each) and the four clamps");
    }
}
