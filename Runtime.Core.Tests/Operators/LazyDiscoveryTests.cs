using System.Reflection;
using Accel.Building;
using Accel.Kernels;
using Accel.Operators;

namespace Accel.Tests.Operators;

/// <summary>
/// Cold start (issue 20): definitions and reference kernels are indexed by <see cref="OpCodesAttribute"/> and built only
/// when a model uses their operator.
/// </summary>
public sealed class LazyDiscoveryTests
{
    private static byte[] AddThenSoftmax()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, 4]);
        int sum = b.AddTensor("sum", TensorType.Float32, [1, 4]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4]);
        b.AddOperator(BuiltinOperator.Add, [x, b.AddConstant("c", [1, 4], [1f, 2f, 3f, 4f])], [sum], new AddOptions(ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.Softmax, [sum], [y], new SoftmaxOptions(1f));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    [Test]
    public void LoadingAndRunningAModelOnTheReferenceBuildsOnlyTheKernelsOfItsOperators()
    {
        var registry = ReferenceKernels.CreateRegistry();
        var resolver = new OpResolver();
        ReferenceKernels.Register(resolver, registry);
        Assert.That(registry.BuiltCount, Is.Zero, "registering builds nothing");

        using var model = Model.FromBytes(AddThenSoftmax());
        using var interpreter = new Interpreter(model, new InterpreterOptions { OpResolver = resolver });
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, [0f, 0f, 0f, 0f]);
        interpreter.Invoke();

        Assert.That(registry.BuiltCount, Is.EqualTo(2));
        Assert.That(registry.IsBuilt(BuiltinOperator.Add) && registry.IsBuilt(BuiltinOperator.Softmax), Is.True);
        Assert.That(registry.IsBuilt(BuiltinOperator.Conv2D), Is.False);
        float[] output = interpreter.Output<float>(0).ToArray();
        Assert.That(output.Sum(), Is.EqualTo(1f).Within(1e-6f));
        Assert.That(output, Is.Ordered.Ascending);
    }

    [Test]
    public void ADefinitionIsBuiltAtItsFirstUseOnly()
    {
        var table = OpDefinitionTable.Discover(typeof(OpDefinition).Assembly);
        Assert.That(table.IsDefined(BuiltinOperator.Conv2D), Is.True);
        Assert.That(table.IsDefined(BuiltinOperator.Call), Is.False);
        Assert.That(table.BuiltCount, Is.Zero, "indexing and IsDefined build nothing");

        var conv = table.Find(BuiltinOperator.Conv2D);
        Assert.That(conv!.Op, Is.EqualTo((OpId)BuiltinOperator.Conv2D));
        Assert.That(table.Find(BuiltinOperator.Conv2D), Is.SameAs(conv), "built once");
        Assert.That(table.BuiltCount, Is.EqualTo(1));
        Assert.That(table.IsBuilt(BuiltinOperator.Softmax), Is.False);
    }

    [Test]
    public void AllStillEnumeratesEveryDefinitionInCodeOrder()
    {
        var table = OpDefinitionTable.Discover(typeof(OpDefinition).Assembly);
        var all = table.All;
        Assert.That(table.BuiltCount, Is.EqualTo(all.Count));
        Assert.That(all.Select(d => d.Op), Is.EqualTo(OpDefinitions.All.Select(d => d.Op)));
        var builtins = all.Where(d => !d.Op.IsCustom).Select(d => (int)d.Op.Builtin).ToArray();
        Assert.That(builtins, Is.Ordered.Ascending);
        Assert.That(all.SkipWhile(d => !d.Op.IsCustom).All(d => d.Op.IsCustom), Is.True, "customs after builtins");
    }

    [Test]
    public void EveryDefinitionAndReferenceKernelClassDeclaresExactlyItsOperators()
    {
        var assembly = typeof(OpDefinition).Assembly;
        var classes = assembly.GetTypes()
            .Where(t => (typeof(OpDefinition).IsAssignableFrom(t) || typeof(IOpKernel).IsAssignableFrom(t))
                        && t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false })
            .ToArray();
        Assert.That(classes.Length, Is.GreaterThan(100));
        foreach (var type in classes)
        {
            var declared = type.GetCustomAttributes<OpCodesAttribute>(inherit: false).SelectMany(a => a.Ops).ToArray();
            Assert.That(declared, Is.Not.Empty, $"{type.Name} has no [OpCodes]: discovery has to build it to learn its operators");
            object instance = Activator.CreateInstance(type, nonPublic: true)!;
            IReadOnlyList<OpId> actual = instance is OpDefinition definition ? [definition.Op] : ((IOpKernel)instance).Ops;
            Assert.That(actual, Is.EquivalentTo(declared), type.Name);
        }
    }

    [Test]
    public void AClassDeclaringOtherOperatorsThanItImplementsIsRefusedWhenBuilt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => OpClasses.CheckDeclared(typeof(MisdeclaredKernel), [BuiltinOperator.Add], [BuiltinOperator.Sub], "test kernel"));
        Assert.That(error!.Message, Does.Contain("MisdeclaredKernel").And.Contain("ADD").And.Contain("SUB"));
    }

    [OpCodes(BuiltinOperator.Add)]
    private sealed class MisdeclaredKernel;
}
