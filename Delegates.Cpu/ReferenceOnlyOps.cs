using System.Collections.Frozen;
using Accel.Operators;

namespace Accel.Delegates.Cpu;

/// <summary>
/// Why an operator has no CPU delegate kernel and runs on the reference executor: the text the plan (ExecutionPlan's
/// refusals, <c>accel inspect</c>) and the operator coverage page (docs/ops.md) show. Operators that cost little in
/// real models or cannot run in a static plan are left to the reference on purpose (issue 12: "Others may run on the
/// reference with the reason in the plan").
/// </summary>
internal static class ReferenceOnlyOps
{
    private const string MemoryBound = "it only moves data (no arithmetic to vectorize), once per invoke";
    private const string RunTimeShapes = "its output's size depends on input values (a dynamic shape), which the CPU delegate does not take";

    /// <summary>Reasons by operator name (builtin or custom code).</summary>
    private static readonly FrozenDictionary<string, string> Reasons = new Dictionary<string, string>
    {
        ["GATHER_ND"] = $"runs on the reference: {MemoryBound}, slices picked by run-time indices the reference range-checks",
        ["EMBEDDING_LOOKUP"] = $"runs on the reference: {MemoryBound}, rows picked by run-time ids the reference range-checks",
        ["ONE_HOT"] = $"runs on the reference: {MemoryBound}, one value per output from run-time indices",
        ["SPACE_TO_BATCH_ND"] = $"runs on the reference: {MemoryBound}, a re-layout around dilated convolutions",
        ["BATCH_TO_SPACE_ND"] = $"runs on the reference: {MemoryBound}, a re-layout around dilated convolutions",
        ["L2_POOL_2D"] = "runs on the reference: rare in converted models (no standard Keras or PyTorch layer lowers to it), not given a CPU kernel yet",
        ["TOPK_V2"] = "runs on the reference: a per-row selection (comparisons and a sort, nothing to vectorize)",
        ["NON_MAX_SUPPRESSION_V4"] = $"runs on the reference: a sequential greedy selection; {RunTimeShapes}",
        ["NON_MAX_SUPPRESSION_V5"] = $"runs on the reference: a sequential greedy selection; {RunTimeShapes}",
        [CustomOps.DetectionPostProcess] = "runs on the reference: sequential box decoding and greedy non-maximum suppression once per invoke, on a few thousand anchors",
        ["SHAPE"] = "runs on the reference: a shape op (folded at AllocateTensors when its input's shape is static)",
        ["FILL"] = $"runs on the reference: a shape op; {RunTimeShapes} when the shape is computed",
        ["RANGE"] = $"runs on the reference: a shape op; {RunTimeShapes} when its limits are computed",
        ["ZEROS_LIKE"] = "runs on the reference: it writes zeros once per invoke (nothing to vectorize)",
        ["DENSIFY"] = "runs on the reference: it expands a sparse constant, folded once at AllocateTensors",
        ["QUANTIZE"] = "runs on the reference: the CPU delegate runs float32, int32, int64 and bool models; quantized ones run on the reference",
        ["DEQUANTIZE"] = "runs on the reference: the CPU delegate runs float32, int32, int64 and bool models; quantized ones run on the reference",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>"OP has no cpu kernel", with the reason where one is recorded.</summary>
    public static string Describe(OpId op) =>
        Reasons.TryGetValue(op.Name, out string? reason) ? $"{op.Name} has no cpu kernel: {reason}" : $"{op.Name} has no cpu kernel";

    /// <summary>Whether <paramref name="op"/> has a recorded reason (for tests).</summary>
    public static bool HasReason(OpId op) => Reasons.ContainsKey(op.Name);
}

/// <summary>The CPU delegate's kernel registry, with <see cref="ReferenceOnlyOps"/>' reasons for the operators it lacks.</summary>
internal sealed class CpuKernelCatalog(KernelRegistry<ICpuKernel> registry) : IKernelCatalog
{
    public NodeSupport Covers(OpId op, TensorType type) =>
        registry.Find(op) is null ? NodeSupport.Refuse(ReferenceOnlyOps.Describe(op)) : registry.Covers(op, type);
}
