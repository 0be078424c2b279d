using Accel.Kernels;
using Accel.Tests.Corpus;

namespace Accel.Tests.Kernels;

/// <summary>
/// Runs this helper's kernels on every corpus model with real weights and shapes: the reference registry supplies
/// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, DEQUANTIZE, DENSIFY and Convolution2DTransposeBias; every other
/// operator is a stand-in that keeps the model's declared output shape and writes zeros. Each of our nodes must accept
/// the model (versions, dtypes, options, sparsity metadata) and compute exactly the output shape the model declares.
/// </summary>
public sealed class ConvCorpusShapeTests
{
    private static readonly HashSet<BuiltinOperator> OurBuiltins =
    [
        BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D, BuiltinOperator.FullyConnected,
        BuiltinOperator.Dequantize, BuiltinOperator.Densify,
    ];

    private const string TransposeConvBias = "Convolution2DTransposeBias";

    /// <summary>Keeps the declared output shapes (Prepare sets nothing) and writes zeros.</summary>
    private sealed class StandIn : IKernel
    {
        public void Prepare(KernelContext context) { }

        public void Invoke(KernelContext context)
        {
            for (int i = 0; i < context.OutputCount; i++) context.Output(i).WritableBytes.Clear();
        }
    }

    private static bool IsOurs(OperatorCode code) =>
        code.Builtin == BuiltinOperator.Custom ? code.CustomCode == TransposeConvBias : OurBuiltins.Contains(code.Builtin);

    public static IEnumerable<CorpusModel> Models => CorpusAssets.Models;

    [TestCaseSource(nameof(Models))]
    public void OurNodesAcceptTheModelAndReproduceItsDeclaredOutputShapes(CorpusModel corpusModel)
    {
        using var model = Model.FromFile(CorpusAssets.Locate().ModelPath(corpusModel));
        var resolver = OpResolver.CreateReference();
        foreach (var code in model.OperatorCodes.Where(c => !IsOurs(c)))
        {
            if (code.Builtin == BuiltinOperator.Custom) resolver.AddCustom(code.CustomCode!, () => new StandIn());
            else resolver.AddBuiltin(code.Builtin, () => new StandIn());
        }

        using var interpreter = new Interpreter(model, new InterpreterOptions { OpResolver = resolver });
        interpreter.AllocateTensors();
        var subgraph = model.MainSubgraph;
        int ours = 0;
        for (int node = 0; node < interpreter.NodeCount; node++)
        {
            if (!IsOurs(interpreter.Graph[node].Code)) continue;
            ours++;
            foreach (int output in interpreter.Graph[node].Outputs)
                Assert.That(interpreter.Tensors[output].Shape.ToArray(), Is.EqualTo(subgraph.Tensors[output].Shape),
                    $"node {node} ({interpreter.Graph[node].Code}) output '{subgraph.Tensors[output].Name}'");
        }
        Assert.That(ours, Is.GreaterThan(0));
        var census = interpreter.Graph.Nodes.Select(n => n.Code).Where(IsOurs)
            .GroupBy(code => code.ToString()).Select(g => $"{g.Key} x{g.Count()}");
        TestContext.Out.WriteLine($"{corpusModel.Name}: " + string.Join(", ", census));

        // One invoke with a mid-grey input: nothing may throw.
        var input = interpreter.GetInputTensor(0);
        interpreter.SetInput<float>(0, Enumerable.Repeat(0.5f, (int)input.ElementCount).ToArray());
        interpreter.Invoke();
    }

    [Test]
    public void SparseFaceDetectorDensifiesAllFortySixSparseFloat16Constants()
    {
        using var model = Model.FromFile(CorpusAssets.Locate().ModelPath("face_detection_full_range_sparse"));
        var resolver = OpResolver.CreateReference();
        foreach (var code in model.OperatorCodes.Where(c => !IsOurs(c)))
        {
            if (code.Builtin == BuiltinOperator.Custom) resolver.AddCustom(code.CustomCode!, () => new StandIn());
            else resolver.AddBuiltin(code.Builtin, () => new StandIn());
        }
        using var interpreter = new Interpreter(model, new InterpreterOptions { OpResolver = resolver });
        interpreter.AllocateTensors();

        var subgraph = model.MainSubgraph;
        int densified = 0;
        for (int node = 0; node < interpreter.NodeCount; node++)
        {
            if (interpreter.Graph[node].Code.Builtin != BuiltinOperator.Densify) continue;
            densified++;
            Assert.That(interpreter.Graph[node].IsFolded, Is.True);
            var definition = interpreter.Graph[node];
            var sparse = subgraph.Tensors[definition.Inputs[0]];
            Assert.That(sparse.Type, Is.EqualTo(TensorType.Float16));
            // Every stored value lands somewhere: the dense tensor holds as many non-zero bit patterns as the
            // stored values have (stored zeros aside).
            int storedNonZero = 0;
            var storedBytes = model.GetBytes(model.Buffers[sparse.BufferIndex]);
            for (int i = 0; i + 1 < storedBytes.Length; i += 2)
                if ((storedBytes[i] | storedBytes[i + 1]) != 0) storedNonZero++;
            int denseNonZero = interpreter.Tensors[definition.Outputs[0]].Read<ushort>().ToArray().Count(h => h != 0);
            Assert.That(denseNonZero, Is.EqualTo(storedNonZero), $"DENSIFY node {node}");
        }
        Assert.That(densified, Is.EqualTo(46));
    }
}
