using System.Reflection;
using Accel.Operators;
using static Accel.Delegates.Cpu.Tests.ConvDelegateHarness;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Cold start (issue 20): the CPU delegate builds the kernels of the operators a model uses and no others, so a load
/// does not construct (and JIT-compile) every kernel class of the assembly.
/// </summary>
public sealed class LazyKernelTests
{
    [Test]
    public void LoadingAndRunningAModelBuildsOnlyTheKernelsOfItsOperators()
    {
        byte[] bytes = ConvFamilyAllocationTests.Model();
        var cpu = new CpuDelegate();
        Assert.That(cpu.KernelRegistry.BuiltCount, Is.Zero, "a new delegate has built nothing");

        using var model = Accel.Model.FromBytes(bytes);
        var options = new InterpreterOptions { Threads = 1 };
        options.Delegates.Add(new DelegateSelection(cpu));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        var input = Random(new Random(5), 1200);
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        interpreter.Invoke();

        OpId[] used = [BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D, BuiltinOperator.FullyConnected, OpId.OfCustom(CustomOps.Convolution2DTransposeBias)];
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(5));
        Assert.That(cpu.KernelRegistry.BuiltCount, Is.EqualTo(used.Length), "one kernel per operator the model uses");
        Assert.That(used.Select(op => cpu.KernelRegistry.IsBuilt(op)), Is.All.True);
        Assert.That(cpu.KernelRegistry.IsBuilt(BuiltinOperator.Softmax), Is.False);
        AssertBitEqual(interpreter.Output<float>(0).ToArray(), RunReference(bytes, input), "lazily built kernels");
    }

    [Test]
    public void EachDelegateInstanceBuildsItsOwnKernels()
    {
        var first = new CpuDelegate();
        var second = new CpuDelegate();
        Assert.That(first.KernelRegistry.Find(BuiltinOperator.Add), Is.Not.Null);
        Assert.That(first.KernelRegistry.BuiltCount, Is.EqualTo(1));
        Assert.That(second.KernelRegistry.BuiltCount, Is.Zero, "no cache shared between instances");
    }

    [Test]
    public void EveryCpuKernelClassDeclaresExactlyTheOperatorsItImplements()
    {
        var classes = typeof(CpuDelegate).Assembly.GetTypes()
            .Where(t => typeof(ICpuKernel).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false })
            .ToArray();
        Assert.That(classes, Is.Not.Empty);
        foreach (var type in classes)
        {
            var declared = type.GetCustomAttributes<OpCodesAttribute>(inherit: false).SelectMany(a => a.Ops).ToArray();
            Assert.That(declared, Is.Not.Empty, $"{type.Name} has no [OpCodes]: discovery has to build it to learn its operators");
            var kernel = (ICpuKernel)Activator.CreateInstance(type, nonPublic: true)!;
            Assert.That(kernel.Ops, Is.EquivalentTo(declared), type.Name);
        }
    }

    [Test]
    public void TheCatalogBuildsAKernelOnlyWhenAskedAboutItsOperator()
    {
        var cpu = new CpuDelegate();
        Assert.That(cpu.Kernels.Covers(BuiltinOperator.Softmax, TensorType.Float32).IsSupported, Is.True);
        Assert.That(cpu.Kernels.Covers(BuiltinOperator.TopKV2, TensorType.Float32).IsSupported, Is.False, "TOPK_V2 runs on the reference");
        Assert.That(cpu.KernelRegistry.BuiltCount, Is.EqualTo(1));
    }
}
