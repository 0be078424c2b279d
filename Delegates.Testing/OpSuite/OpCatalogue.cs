namespace Accel.Testing.OpSuite;

/// <summary>
/// Every case of the cross-backend op suite, written once: for each operator, randomized shapes seeded
/// deterministically (channel counts at every vector tail 1..17 and larger odd sizes), broadcasts, strides,
/// dilations, paddings, every fused activation, special values (NaN payloads, ±inf, ±0, subnormals, huge values, the
/// SpecMath thresholds) and the edge cases each backend's kernels have (workgroup and block tails, strips, packing
/// paths, runtime weights, dilation overflow). <see cref="OpSuiteTests"/> runs them on a backend against the reference;
/// the CPU delegate's ISA runner runs them under each forced vector path.
/// </summary>
public static partial class OpCatalogue
{
    private static readonly Lazy<IReadOnlyList<OpCase>> Cases = new(Create);

    /// <summary>Every case, grouped by operator in catalogue order.</summary>
    public static IReadOnlyList<OpCase> All => Cases.Value;

    /// <summary>The case named <paramref name="name"/>.</summary>
    public static OpCase Get(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"the op suite has no case named '{name}'");

    /// <summary>The number of cases per operator, in catalogue order.</summary>
    public static IReadOnlyList<(string Op, int Cases)> CountsByOp() =>
        All.GroupBy(c => c.Op).Select(g => (g.Key, g.Count())).ToArray();

    private static IReadOnlyList<OpCase> Create()
    {
        var cases = new CaseList();
        AddBinary(cases);
        AddDivisionAndInt32Binary(cases);
        AddUnary(cases);
        AddActivations(cases);
        AddDataMovement(cases);
        AddLayout(cases);
        AddConv2D(cases);
        AddDepthwiseConv2D(cases);
        AddFullyConnected(cases);
        AddTransposeConvBias(cases);
        AddDilationOverflow(cases);
        AddPools(cases);
        AddMean(cases);
        AddReductions(cases);
        AddResizeBilinear(cases);
        AddMath(cases);
        AddGraphs(cases);
        // Grouped by operator, in the order each operator first appears.
        var order = cases.Select(c => c.Op).Distinct().Select((op, i) => (op, i)).ToDictionary(x => x.op, x => x.i);
        var sorted = cases.OrderBy(c => order[c.Op]).ToArray(); // stable
        var duplicate = sorted.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"two op suite cases are named '{duplicate.Key}'");
        return sorted;
    }

    /// <summary>The per-case random source: case <paramref name="index"/> of the generator seeded <paramref name="seed"/>.</summary>
    private static Random Rng(int seed, int index) => new(seed * 7919 + index);

    private static string S(ReadOnlySpan<int> shape) => OpValues.Shape(shape);

    private static string Op(BuiltinOperator op) => op.ToSchemaName();
}

/// <summary>The list the catalogue's generators add to.</summary>
internal sealed class CaseList : List<OpCase>
{
    /// <summary>Adds a case named "OP: <paramref name="description"/>".</summary>
    public OpCase Add(string op, string description, Func<OpCaseData> build, NaNPayloads payloads = NaNPayloads.Unspecified,
        IReadOnlyList<string>? tags = null, int subject = 0, IReadOnlyList<string>? errorContains = null, int? partitions = null)
    {
        var c = new OpCase(op, $"{op}: {description}", build)
        {
            Payloads = payloads, Tags = tags ?? [], Subject = subject, Partitions = partitions,
            Kind = errorContains is null ? OpCaseKind.BitExact : OpCaseKind.AllocateThrows, ErrorContains = errorContains ?? [],
        };
        Add(c);
        return c;
    }
}
