namespace Accel.Testing.OpSuite;

/// <summary>How a case's NaN outputs are compared (docs/numerics.md §NaN leaves sign and payload unspecified).</summary>
public enum NaNPayloads
{
    /// <summary>Any NaN equals any NaN: several NaN operands (or 0 × inf) meet, and IEEE 754 leaves open which payload survives.</summary>
    Unspecified,

    /// <summary>
    /// The inputs were chosen so that x86 and the reference determine every NaN's bits (one NaN pattern where NaNs meet,
    /// payload NaNs only where nothing else is NaN): backends that promise payloads (the CPU delegate) must match them.
    /// </summary>
    Deterministic,

    /// <summary>Pure data movement: every backend must move every bit, NaN payloads and signs included.</summary>
    Moved,
}

/// <summary>What a case expects of AllocateTensors.</summary>
public enum OpCaseKind
{
    /// <summary>Allocates, runs on the reference and on the backend, and the outputs must be bit-identical.</summary>
    BitExact,

    /// <summary>AllocateTensors must throw a <see cref="KernelException"/> (the definition refuses the model), with or without a delegate.</summary>
    AllocateThrows,
}

/// <summary>A case's model and inputs (every input float32, or its bit patterns for 4-byte dtypes), built on demand.</summary>
/// <param name="Model">The flatbuffer.</param>
/// <param name="Inputs">One array per model input, in order.</param>
/// <param name="Expected">Where given, the exact output words every backend (and the reference) must produce.</param>
public sealed record OpCaseData(byte[] Model, float[][] Inputs, float[][]? Expected = null);

/// <summary>
/// One case of the cross-backend op suite: a small model (usually one node) with deterministic inputs, to run on the
/// reference and on a backend. Built lazily (<see cref="Build"/>), deterministically: the same case gives the same
/// bytes in every process.
/// </summary>
public sealed class OpCase
{
    private readonly Func<OpCaseData> _build;

    internal OpCase(string op, string name, Func<OpCaseData> build)
    {
        Op = op;
        Name = name;
        _build = build;
    }

    /// <summary>The operator under test (its schema name, or the custom code); the suite groups cases by it.</summary>
    public string Op { get; }

    /// <summary>Unique in the catalogue: "OP: what the case checks" (the NUnit test's name).</summary>
    public string Name { get; }

    public OpCaseKind Kind { get; init; } = OpCaseKind.BitExact;

    public NaNPayloads Payloads { get; init; } = NaNPayloads.Unspecified;

    /// <summary>
    /// Properties of the node under test that some backends refuse by design (see <see cref="Features"/>); a backend
    /// lists the ones it refuses, with the reason text, and must delegate every other case's nodes.
    /// </summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The node the case is about (the one <see cref="Tags"/> describe, the one an error must name).</summary>
    public int Subject { get; init; }

    /// <summary>For <see cref="OpCaseKind.AllocateThrows"/>: texts the error message must contain.</summary>
    public IReadOnlyList<string> ErrorContains { get; init; } = [];

    /// <summary>For multi-node cases: the number of partitions a backend that takes every node must form (null: not checked).</summary>
    public int? Partitions { get; init; }

    /// <summary>Builds the model and inputs (deterministic; a fresh copy each call).</summary>
    public OpCaseData Build() => _build();

    public override string ToString() => Name;
}

/// <summary>
/// The tags of <see cref="OpCase.Tags"/>: node properties a backend may refuse by design. Everything not tagged must be
/// delegated by every backend whose kernel catalog covers the operator and dtype.
/// </summary>
public static class Features
{
    /// <summary>Operands (or output) of rank 5 or more.</summary>
    public const string RankAbove4 = "rank>4";

    /// <summary>A grouped CONV_2D (filter depth below the input depth).</summary>
    public const string GroupedConvolution = "grouped-convolution";

    /// <summary>Weights (filter, FULLY_CONNECTED weights, transposed-convolution weights) computed at run time.</summary>
    public const string RuntimeWeights = "runtime-weights";

    /// <summary>An output with an empty dimension.</summary>
    public const string EmptyOutput = "empty-output";

    /// <summary>A MEAN whose kept and reduced dimensions leave more than four runs of either.</summary>
    public const string MeanManyRuns = "mean-more-than-4-runs";
}
