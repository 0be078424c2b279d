using Accel.Building;
using Accel.Delegates;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Runtime;

[TestFixture]
public sealed class InterpreterGraphTests
{
    /// <summary>input [1,4,4,2] → CONV_2D 3×3 SAME (fp16 weights through DEQUANTIZE, fp32 bias) → output [1,4,4,3].</summary>
    private static byte[] ConvModel()
    {
        var b = new ModelBuilder("graph view test");
        int input = b.AddTensor("input", TensorType.Float32, [1, 4, 4, 2]);
        int weights16 = b.AddConstantFloat16("weights_fp16", [3, 3, 3, 2], new float[3 * 3 * 3 * 2]);
        int weights32 = b.AddTensor("weights", TensorType.Float32, [3, 3, 3, 2]);
        int bias = b.AddConstant("bias", [3], [0.5f, -1f, 2f]);
        int output = b.AddTensor("output", TensorType.Float32, [1, 4, 4, 3]);
        b.AddOperator(BuiltinOperator.Dequantize, [weights16], [weights32], version: 2);
        b.AddOperator(BuiltinOperator.Conv2D, [input, weights32, bias], [output],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddInput(input);
        b.AddOutput(output);
        return b.Build();
    }

    [Test]
    public void ExposesEveryNodesOperatorAndTensors()
    {
        using var model = Model.FromBytes(ConvModel());
        using var interpreter = new Interpreter(model);
        var graph = interpreter.Graph;

        Assert.That(graph.NodeCount, Is.EqualTo(2));
        Assert.That(graph.Nodes.Select(n => n.Index), Is.EqualTo(new[] { 0, 1 }));
        var conv = graph[1];
        Assert.That(conv.Code.Builtin, Is.EqualTo(BuiltinOperator.Conv2D));
        Assert.That(conv.Op, Is.EqualTo(OpId.Of(BuiltinOperator.Conv2D)));
        Assert.That(conv.Options, Is.InstanceOf<Conv2DOptions>());
        Assert.That(conv.Inputs, Is.EqualTo(model.MainSubgraph.Operators[1].Inputs));
        Assert.That(conv.Outputs, Is.EqualTo(model.MainSubgraph.Operators[1].Outputs));
        Assert.That(conv.Inputs, Is.Not.InstanceOf<int[]>(), "the view hands out no writable arrays");
        Assert.That(graph[0].Op, Is.EqualTo(OpId.Of(BuiltinOperator.Dequantize)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = graph[2]);
    }

    [Test]
    public void FoldingParamsAndCostsAppearAtAllocateTensors()
    {
        using var model = Model.FromBytes(ConvModel());
        using var interpreter = new Interpreter(model);
        var graph = interpreter.Graph;
        Assert.That(graph.Nodes.Select(n => n.Params), Is.All.Null);
        Assert.That(graph.Nodes.Select(n => n.Cost), Is.All.Null);
        Assert.That(graph.Nodes.Select(n => n.IsFolded), Is.All.False);

        interpreter.AllocateTensors();

        Assert.That(graph[0].IsFolded, Is.True);
        Assert.That(graph[1].IsFolded, Is.False);
        Assert.That(graph.ExecutedNodeCount, Is.EqualTo(1));
        Assert.That(graph[1].Params, Is.InstanceOf<Conv2DParams>());
        Assert.That(graph[1].Cost, Is.EqualTo(graph[1].Params!.Cost));
        Assert.That(graph[1].Cost!.Value.Macs, Is.EqualTo(4 * 4 * 3 * (3 * 3 * 2)));
    }

    [Test]
    public void OperationCountIsTheNodesCostOperations()
    {
        var code = new OperatorCode(BuiltinOperator.Custom, "Anything", 1);
        var node = new DelegateNode(0, code, null, ReadOnlyMemory<byte>.Empty,
            new UndefinedOpParams { Cost = new OpCost(5, 7, 1000) }, [], []);
        Assert.That(Interpreter.OperationCount(node), Is.EqualTo(12));
        Assert.That(Interpreter.OperationCount(node), Is.EqualTo(node.Cost.Operations));
    }

    [Test]
    public void ToDotRefusesAPlanOfAnotherGraph()
    {
        using var model = Model.FromBytes(ConvModel());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var b = new ModelBuilder("one node");
        int x = b.AddTensor("x", TensorType.Float32, [2]);
        int y = b.AddTensor("y", TensorType.Float32, [2]);
        b.AddOperator(BuiltinOperator.Relu, [x], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        using var other = Model.FromBytes(b.Build());
        using var otherInterpreter = new Interpreter(other);
        otherInterpreter.AllocateTensors();

        Assert.That(interpreter.Graph.ToDot(interpreter.Plan), Does.Contain("n1 [label=\"1: CONV_2D\""));
        Assert.Throws<ArgumentException>(() => interpreter.Graph.ToDot(otherInterpreter.Plan));
    }
}
