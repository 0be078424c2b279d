using Accel.Conformance;
using Accel.Conformance.Backends;
using Accel.Conformance.Reports;
using Accel.Conformance.Running;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// The conformance suite's int8/uint8 op cases (conformance/cases/ops.json, goldens certified against TFLite) on the
/// hexagon column: every output bit-identical to the golden, and the case's subject node run on the DSP.
/// </summary>
public sealed class HexagonConformanceTests
{
    /// <summary>Operators whose int8/uint8 cases must all run on the DSP.</summary>
    public static readonly string[] DelegatedOps =
    [
        "ADD", "SUB", "MUL", "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "MAX_POOL_2D", "AVERAGE_POOL_2D",
        "LOGISTIC", "HARD_SWISH", "QUANTIZE", "DEQUANTIZE", "PAD", "RESHAPE", "CONCATENATION",
        "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR", "DEPTH_TO_SPACE", "SPACE_TO_DEPTH", "TRANSPOSE", "SLICE",
        "STRIDED_SLICE", "REVERSE_V2", "TILE", "BROADCAST_TO", "SQUEEZE", "EXPAND_DIMS",
        "TANH", "ELU", "RELU", "RELU6", "RELU_N1_TO_1", "LEAKY_RELU", "SOFTMAX", "MEAN", "TRANSPOSE_CONV",
    ];

    /// <summary>Cases whose subject node the DSP refuses, and why (the reasons are the delegate's refusal texts).</summary>
    private static readonly (string Pattern, string Why)[] RefusedByDesign =
    [
        ("op/DEQUANTIZE/*/perChannelAxis=*", "per-channel DEQUANTIZE is not run on the DSP"),
        ("op/*/*/via=input*", "a size or shape is a run-time input: the output has a run-time shape (RESHAPE, RESIZE_*)"),
        ("op/TRANSPOSE/*/input=2x1x3x2x2x3*", "rank 6: the DSP takes rank ≤ 4 (as TFLite's Hexagon delegate)"),
        ("op/SQUEEZE/*/base", "a rank-5 input [1,3,1,4,1]: the DSP takes rank ≤ 4"),
        ("op/QUANTIZE/*/source=int16*", "an int16 input: the DSP runs no int16x8 node"),
    ];

    [TestCaseSource(nameof(DelegatedOps))]
    public void EveryInt8AndUInt8CaseIsBitExactOnTheDsp(string op)
    {
        HexagonTestEnvironment.RequireDsp();
        var registry = new BackendRegistry()
            .Add(new ReferenceBackend())
            .Add(new DelegateBackend("hexagon", () => new HexagonDelegate(minNodesPerPartition: 1), threads: 1));
        var report = new ConformanceRunner(new SuiteContext(SuitePaths.Discover(null, AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)))), registry)
            .Run(new RunSettings { Backends = "hexagon", CaseFilter = $"op/{op}/int8/*:op/{op}/uint8/*" });
        var cells = report.Cells.Where(c => c.Backend == "hexagon").ToArray();
        Assert.That(cells, Is.Not.Empty, $"no int8/uint8 conformance case of {op}");
        var failed = cells.Where(c => c.Status != CellStatus.Pass).Select(c => $"{c.Case}: {c.Status} {c.Message}").ToArray();
        Assert.That(failed, Is.Empty, $"{failed.Length} of {cells.Length} {op} cases are not bit-exact on the DSP");
        // Every case has its subject node on the DSP (the CASTs around int8 cases run on the reference), except the
        // refusals by design.
        var undelegated = cells.Where(c => c.DelegatedNodes < 1).Select(c => c.Case).ToArray();
        var expected = cells.Select(c => c.Case).Where(id => RefusedByDesign.Any(r => CaseFilter.Glob(r.Pattern, id))).ToArray();
        Assert.That(undelegated, Is.EquivalentTo(expected), $"{op}: the cases whose node the DSP refused");
        TestContext.Out.WriteLine($"{op}: {cells.Length} int8/uint8 cases bit-exact on the Hexagon DSP");
    }
}
