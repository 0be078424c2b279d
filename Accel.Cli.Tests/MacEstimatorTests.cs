using Accel.Cli;

namespace Accel.Cli.Tests;

public sealed class MacEstimatorTests
{
    [Test]
    public void CountsConvDepthwiseAndFullyConnectedMacsFromAllocatedShapes()
    {
        using var model = Model.FromBytes(SmallModel.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();

        var estimate = MacEstimator.Estimate(interpreter);

        Assert.That(estimate.TotalMacs, Is.EqualTo(SmallModel.TotalMacs));
        Assert.That(estimate.ByOperator.Single(o => o.Operator == "CONV_2D").Macs, Is.EqualTo(SmallModel.ConvMacs));
        Assert.That(estimate.ByOperator.Single(o => o.Operator == "DEPTHWISE_CONV_2D").Macs, Is.EqualTo(SmallModel.DepthwiseMacs));
        Assert.That(estimate.ByOperator.Single(o => o.Operator == "FULLY_CONNECTED"), Is.EqualTo(new OperatorWork("FULLY_CONNECTED", 2, SmallModel.FullyConnectedMacs, 0)));
    }

    [Test]
    public void FoldedDequantizeIsExcluded()
    {
        using var model = Model.FromBytes(SmallModel.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();

        var estimate = MacEstimator.Estimate(interpreter);

        Assert.That(interpreter.Graph[0].IsFolded, Is.True);
        Assert.That(estimate.ExcludedFoldedNodes, Is.EqualTo(1));
        Assert.That(estimate.Nodes.Select(n => n.Operator), Has.None.EqualTo("DEQUANTIZE"));
    }

    [Test]
    public void DeclaredShapesGiveTheSameEstimateWithoutAllocating()
    {
        using var model = Model.FromBytes(SmallModel.Build());
        var estimate = MacEstimator.EstimateDeclared(model);
        Assert.That(estimate.TotalMacs, Is.EqualTo(SmallModel.TotalMacs));
        Assert.That(estimate.ExcludedFoldedNodes, Is.EqualTo(1));
    }

    [Test]
    public void TopNodesAreOrderedByMacs()
    {
        using var model = Model.FromBytes(SmallModel.Build());
        var top = MacEstimator.EstimateDeclared(model).TopNodesByMacs(10);
        Assert.That(top.Select(n => n.Macs), Is.EqualTo(new[] { SmallModel.ConvMacs, SmallModel.DepthwiseMacs, 720L, 12L }));
        Assert.That(top[0].Operator, Is.EqualTo("CONV_2D"));
    }

    [Test]
    public void ElementwiseAndPoolOpsAreCountedSeparatelyFromMacs()
    {
        var shapes = new Dictionary<int, int[]> { [0] = [1, 8, 8, 4], [1] = [1, 8, 8, 4], [2] = [1, 4, 4, 4] };
        var add = new ModelOperator { OpcodeIndex = 0, Inputs = [0, 1], Outputs = [1], Intermediates = [] };
        Assert.That(MacEstimator.EstimateNode(new OperatorCode(BuiltinOperator.Add, null, 1), add, t => shapes[t]), Is.EqualTo((0L, 256L)));

        var pool = new ModelOperator
        {
            OpcodeIndex = 0, Inputs = [0], Outputs = [2], Intermediates = [],
            Options = new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None),
        };
        Assert.That(MacEstimator.EstimateNode(new OperatorCode(BuiltinOperator.MaxPool2D, null, 1), pool, t => shapes[t]), Is.EqualTo((0L, 64L * 4)));

        var mean = new ModelOperator { OpcodeIndex = 0, Inputs = [0, -1], Outputs = [2], Intermediates = [] };
        Assert.That(MacEstimator.EstimateNode(new OperatorCode(BuiltinOperator.Mean, null, 1), mean, t => shapes[t]), Is.EqualTo((0L, 256L)));

        var reshape = new ModelOperator { OpcodeIndex = 0, Inputs = [0], Outputs = [1], Intermediates = [] };
        Assert.That(MacEstimator.EstimateNode(new OperatorCode(BuiltinOperator.Reshape, null, 1), reshape, t => shapes[t]), Is.EqualTo((0L, 0L)));
    }

    [Test]
    public void TransposeConvBiasCountsInputElementsTimesKernelAreaTimesOutputChannels()
    {
        // input [1,4,4,8], weights [Cout=3, 2, 2, Cin=8] -> 128 * 2*2*3 MACs.
        var shapes = new Dictionary<int, int[]> { [0] = [1, 4, 4, 8], [1] = [3, 2, 2, 8], [2] = [3], [3] = [1, 8, 8, 3] };
        var op = new ModelOperator { OpcodeIndex = 0, Inputs = [0, 1, 2], Outputs = [3], Intermediates = [] };
        var code = new OperatorCode(BuiltinOperator.Custom, "Convolution2DTransposeBias", 1);
        Assert.That(MacEstimator.EstimateNode(code, op, t => shapes[t]).Macs, Is.EqualTo(128L * 12));
    }
}
