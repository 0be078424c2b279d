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
    public void TheEstimateIsEachNodesDefinitionCost()
    {
        using var model = Model.FromBytes(SmallModel.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var estimate = MacEstimator.Estimate(interpreter);
        foreach (var work in estimate.Nodes)
        {
            var cost = interpreter.Graph[work.Node].Cost!.Value;
            Assert.That((work.Macs, work.ElementwiseOps), Is.EqualTo((cost.Macs, cost.ElementOps)), $"node {work.Node}");
        }
    }
}
