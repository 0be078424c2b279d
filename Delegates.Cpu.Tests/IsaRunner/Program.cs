#if ISA_RUNNER
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel;
using Accel.Delegates.Cpu;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Delegates.Cpu.Tests;

// The ISA-coverage child process: runs seeded single-operator models and the small corpus models on the CPU delegate
// and the reference interpreter, compares every output bit, prints the vector path and "N passed, M failed", and
// exits 0 only when everything matched and was fully delegated. IsaPathTests starts it with the .NET 10 runtime's ISA
// switches (DOTNET_PreferredVectorBitWidth=512, DOTNET_EnableAVX512=0, DOTNET_EnableAVX=0, DOTNET_EnableHWIntrinsic=0)
// or ACCEL_CPU_SIMD=<width> so every vector path runs, and checks the "path:", "isa:" and "kernels:" lines.
// Usage: IsaRunner [--no-corpus] [--cases N] [--models a,b,c]
bool corpus = !args.Contains("--no-corpus");
int casesPerOp = args.SkipWhile(a => a != "--cases").Skip(1).Select(int.Parse).FirstOrDefault(4);
string[] models = args.SkipWhile(a => a != "--models").Skip(1).Select(m => m.Split(',')).FirstOrDefault(CorpusCases.SmallModels);

string forced = Environment.GetEnvironmentVariable(SimdPath.OverrideVariable) ?? "";
Console.WriteLine($"path: {CpuDelegate.VectorPath}");
Console.WriteLine($"isa: Avx512F={Avx512F.IsSupported} Avx2={Avx2.IsSupported} Avx={Avx.IsSupported} Fma={Fma.IsSupported} " +
    $"Vector512={Vector512.IsHardwareAccelerated} Vector256={Vector256.IsHardwareAccelerated} Vector128={Vector128.IsHardwareAccelerated} AdvSimd={System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported}");
Console.WriteLine($"kernels: {SimdWidths.Describe(SimdWidths.Current)} elementwise, {SimdPath.DescribeLanes((int)GemmWidths.Widest)} widest gemm");
Console.WriteLine($"kernel width override ({SimdPath.OverrideVariable}): {(forced.Length == 0 ? "none" : forced)}");

int passed = 0, failed = 0;
var clock = Stopwatch.StartNew();

// Each case at 1 thread (no pool) and 2 threads (the delegate's pool), against one reference run.
void Check(BitExactCase c, bool verbose = false)
{
    try
    {
        foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
        {
            if (verbose) Console.WriteLine(outcome);
            if (outcome.BitIdentical && outcome.FullyDelegated && outcome.ExecutedNodes > 0) passed++;
            else
            {
                failed++;
                Console.WriteLine($"FAIL {outcome}");
            }
        }
    }
    catch (Exception e)
    {
        failed++;
        Console.WriteLine($"FAIL {c.Name}: {e.GetType().Name}: {e.Message}");
    }
}

var random = new Random(1234);
var generators = new List<Func<Random, BitExactCase>>
{
    r => OpCases.Binary(BuiltinOperator.Add, r, 0.1),
    r => OpCases.Binary(BuiltinOperator.Sub, r, 0.1),
    r => OpCases.Binary(BuiltinOperator.Mul, r, 0.1),
    r => OpCases.Unary(BuiltinOperator.Relu, r, 0.1),
    r => OpCases.Unary(BuiltinOperator.Relu6, r, 0.1),
    r => OpCases.Unary(BuiltinOperator.HardSwish, r, 0.1),
    r => OpCases.Unary(BuiltinOperator.Logistic, r, 0.1, scale: 100f),
    r => OpCases.Pool(BuiltinOperator.MaxPool2D, r, 0.1),
    r => OpCases.Pool(BuiltinOperator.AveragePool2D, r, 0.1),
    r => OpCases.Mean(r, 0.1),
    r => OpCases.ResizeBilinear(r, 0.1),
    r => OpCases.Reshape(r, 0.1),
    r => OpCases.Concatenation(r, 0.1),
    r => OpCases.Pad(r, 0.1),
    r => OpCases.DepthToSpace(r, 0.1),
};
foreach (var generate in generators)
    for (int i = 0; i < casesPerOp; i++)
        Check(generate(random));
foreach (var op in new[] { BuiltinOperator.HardSwish, BuiltinOperator.Logistic, BuiltinOperator.Relu, BuiltinOperator.Relu6 })
    Check(OpCases.UnarySpecials(op));
// The typed element-wise ops (float32, int32, int64, bool): tails, row forms, specials, random broadcasts.
foreach (var c in OpCases.TypedElementwiseCases(new Random(4321), casesPerOp))
    Check(c);
Console.WriteLine($"op cases done in {clock.Elapsed.TotalSeconds:F1} s");

if (corpus)
    foreach (string model in models)
    {
        BitExactCase c;
        try { c = CorpusCases.Load(model); }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"FAIL {model}: {e.Message}");
            continue;
        }
        Check(c, verbose: true);
        Console.WriteLine($"{model} done at {clock.Elapsed.TotalSeconds:F1} s");
    }

Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 && passed > 0 ? 0 : 1;
#endif
