using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The operators the CPU delegate leaves to the reference say why, both in its kernel catalog (docs/ops.md) and in the
/// plan's refusal of a node (what `accel inspect` prints), and the operators issue 12 lists as CPU work have kernels.
/// </summary>
[TestFixture]
public sealed class ReferenceOnlyReasonTests
{
    private static readonly OpId[] ReferenceOnly =
    [
        BuiltinOperator.GatherNd, BuiltinOperator.L2Pool2D, BuiltinOperator.SpaceToBatchNd, BuiltinOperator.BatchToSpaceNd,
        BuiltinOperator.OneHot, BuiltinOperator.EmbeddingLookup, BuiltinOperator.NonMaxSuppressionV4,
        BuiltinOperator.NonMaxSuppressionV5, BuiltinOperator.TopKV2, OpId.OfCustom(CustomOps.DetectionPostProcess),
    ];

    [Test]
    public void EveryOperatorWithoutACpuKernelHasARecordedReason()
    {
        using var cpu = new CpuDelegate();
        foreach (var op in ReferenceOnly)
        {
            var support = cpu.Kernels.Covers(op, TensorType.Float32);
            Assert.That(support.IsSupported, Is.False, op.Name);
            Assert.That(support.Reason, Does.StartWith($"{op.Name} has no cpu kernel: runs on the reference: "), op.Name);
        }
        // Every operator the catalogue lacks, not only the listed ones.
        foreach (var definition in OpDefinitions.All)
            if (!cpu.Kernels.Covers(definition.Op, definition.Types[0]).IsSupported &&
                cpu.Kernels.Covers(definition.Op, definition.Types[0]).Reason.Contains("has no cpu kernel"))
                Assert.That(ReferenceOnlyOps.HasReason(definition.Op), definition.Op.Name);
    }

    [Test]
    public void TheIssuesCpuOperatorsHaveKernels()
    {
        using var cpu = new CpuDelegate();
        BuiltinOperator[] ops =
        [
            BuiltinOperator.Log, BuiltinOperator.Sin, BuiltinOperator.Cos, BuiltinOperator.Pow, BuiltinOperator.FloorDiv,
            BuiltinOperator.FloorMod, BuiltinOperator.Select, BuiltinOperator.SelectV2, BuiltinOperator.Cast,
            BuiltinOperator.LogSoftmax, BuiltinOperator.Softmax, BuiltinOperator.Transpose, BuiltinOperator.StridedSlice,
            BuiltinOperator.Slice, BuiltinOperator.Gather, BuiltinOperator.TransposeConv, BuiltinOperator.BatchMatMul,
            BuiltinOperator.Prelu, BuiltinOperator.ResizeNearestNeighbor, BuiltinOperator.SpaceToDepth,
            BuiltinOperator.DepthToSpace, BuiltinOperator.Pad, BuiltinOperator.PadV2, BuiltinOperator.MirrorPad,
        ];
        foreach (var op in ops) Assert.That(cpu.Kernels.Covers(op, TensorType.Float32).IsSupported, op.ToString());
        foreach (var op in new[] { BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin })
            foreach (var type in new[] { TensorType.Float32, TensorType.Int32, TensorType.Int64 })
                Assert.That(cpu.Kernels.Covers(op, type).IsSupported, $"{op} {type}");
        Assert.That(cpu.Kernels.Covers(BuiltinOperator.ReduceAny, TensorType.Bool).IsSupported);
    }

    [Test]
    public void ThePlanShowsTheReasonForANodeLeftToTheReference()
    {
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, [1, 4, 4, 2]);
        int y = mb.AddTensor("y", TensorType.Float32, [1, 2, 2, 2]);
        mb.AddOperator(BuiltinOperator.L2Pool2D, [x], [y], new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        var refused = interpreter.Plan.Refused.Single();
        Assert.That(refused.Operator, Is.EqualTo("L2_POOL_2D"));
        Assert.That(refused.Delegate, Is.EqualTo("cpu"));
        Assert.That(refused.Reason, Does.StartWith("L2_POOL_2D has no cpu kernel: runs on the reference: "));
    }
}
