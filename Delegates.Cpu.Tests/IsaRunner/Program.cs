#if ISA_RUNNER
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel;
using Accel.Delegates.Cpu;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Delegates.Cpu.Tests;
using Accel.Testing.OpSuite;

// The ISA-coverage child process: runs the op suite's cases (Delegates.Testing/OpSuite, the catalogue every backend
// runs) and the small corpus models on the CPU delegate and the reference interpreter, compares every output bit,
// prints the vector path and "N passed, M failed", and exits 0 only when everything matched and every node the CPU
// delegate should take was delegated. IsaPathTests starts it with the .NET 10 runtime's ISA switches
// (DOTNET_PreferredVectorBitWidth=512, DOTNET_EnableAVX512=0, DOTNET_EnableAVX=0, DOTNET_EnableHWIntrinsic=0) or
// ACCEL_CPU_SIMD=<width> so every vector path runs, and checks the "path:", "isa:" and "kernels:" lines.
// Usage: IsaRunner [--no-corpus] [--every N] [--models a,b,c]   (--every N: every Nth op case only)
bool corpus = !args.Contains("--no-corpus");
int casesPerOp = 4; // random cases per typed element-wise op and dtype
int every = args.SkipWhile(a => a != "--every").Skip(1).Select(int.Parse).FirstOrDefault(1);
string[] models = args.SkipWhile(a => a != "--models").Skip(1).Select(m => m.Split(',')).FirstOrDefault(CorpusCases.SmallModels);

// The process edge: the kernel-width test hook arrives as an environment variable and goes to the library as its
// AppContext switch (the library reads no environment variable).
string forced = Environment.GetEnvironmentVariable(SimdPath.OverrideVariable) ?? "";
if (forced.Length > 0) AppContext.SetData(SimdPath.KernelWidthSwitch, forced);
Console.WriteLine($"path: {CpuDelegate.VectorPath}");
Console.WriteLine($"isa: Avx512F={Avx512F.IsSupported} Avx2={Avx2.IsSupported} Avx={Avx.IsSupported} Fma={Fma.IsSupported} " +
    $"Vector512={Vector512.IsHardwareAccelerated} Vector256={Vector256.IsHardwareAccelerated} Vector128={Vector128.IsHardwareAccelerated} AdvSimd={System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported}");
Console.WriteLine($"kernels: {SimdWidths.Describe(SimdWidths.Current)} elementwise, {SimdPath.DescribeLanes((int)GemmWidths.Widest)} widest gemm");
Console.WriteLine($"quantized: int8 {Accel.Delegates.Cpu.Kernels.Quantized.QuantizedIsas.Best(true)}, uint8 {Accel.Delegates.Cpu.Kernels.Quantized.QuantizedIsas.Best(false)}");
Console.WriteLine($"int8 gemm: {Accel.Delegates.Cpu.Kernels.Quantized.QuantizedIsas.DescribeInt8Gemm()}");
Console.WriteLine($"kernel width override ({SimdPath.OverrideVariable}): {(forced.Length == 0 ? "none" : forced)}");

int passed = 0, failed = 0;
var clock = Stopwatch.StartNew();

// Each op case at 1 thread (no pool) and 2 threads (the delegate's pool), against one reference run.
using (var cpu = new CpuDelegate())
{
    var backends = new[] { CpuSuiteBackend.Create(cpu, 1), CpuSuiteBackend.Create(cpu, 2) };
    var cases = OpCatalogue.All.Where((_, i) => i % every == 0).ToArray();
    foreach (var c in cases)
        foreach (var backend in backends)
        {
            try
            {
                var outcome = OpSuiteRunner.Run(c, backend);
                if (outcome.Passed) passed++;
                else
                {
                    failed++;
                    Console.WriteLine($"FAIL @{backend.Threads}t {outcome}");
                }
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"FAIL @{backend.Threads}t {c.Name}: {e.GetType().Name}: {e.Message}");
            }
        }
    Console.WriteLine($"{cases.Length} op cases of {OpCatalogue.All.Count} done in {clock.Elapsed.TotalSeconds:F1} s");
}

// A corpus model at 1 and 2 threads, against one reference run.
void Check(BitExactCase c)
{
    try
    {
        foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
        {
            Console.WriteLine(outcome);
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

// The typed element-wise ops (float32, int32, int64, bool): tails, row forms, specials, random broadcasts.
foreach (var c in OpCases.TypedElementwiseCases(new Random(4321), casesPerOp))
    Check(c);
Console.WriteLine($"typed element-wise cases done in {clock.Elapsed.TotalSeconds:F1} s");

// The integer and bool reductions (SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, MEAN on int32/int64, REDUCE_ANY on bool).
foreach (var c in OpCases.IntegerReductionCases(new Random(8765), casesPerOp))
    Check(c);
Console.WriteLine($"integer reduction cases done in {clock.Elapsed.TotalSeconds:F1} s");

// FLOOR_DIV float32, SELECT/SELECT_V2 and the vectorized CAST pairs, SIN/COS/LOG specials.
foreach (var c in OpCases.DivisionSelectCastCases(new Random(5432)))
    Check(c);
Console.WriteLine($"division, select and cast cases done in {clock.Elapsed.TotalSeconds:F1} s");

// DIV / FLOOR_DIV / FLOOR_MOD int32 and FLOOR_MOD float32 vectorized, int32 ADD/SUB/MUL/DIV with a fused clamp.
foreach (var c in OpCases.IntegerDivisionCases(new Random(2468)))
    Check(c);
Console.WriteLine($"integer division and clamped int32 cases done in {clock.Elapsed.TotalSeconds:F1} s");

// POW int32: square-and-multiply per lane.
foreach (var c in OpCases.IntegerPowerCases(new Random(3579)))
    Check(c);
Console.WriteLine($"integer power cases done in {clock.Elapsed.TotalSeconds:F1} s");

// ARG_MAX / ARG_MIN over int32, int8 and uint8.
foreach (var c in OpCases.IntegerArgCases(new Random(9753)))
    Check(c);
Console.WriteLine($"integer arg cases done in {clock.Elapsed.TotalSeconds:F1} s");

// L2_NORMALIZATION and LOCAL_RESPONSE_NORMALIZATION row kernels.
foreach (var c in OpCases.NormalizationCases(new Random(1357)))
    Check(c);
Console.WriteLine($"normalization cases done in {clock.Elapsed.TotalSeconds:F1} s");

// The integer convolution-family cases (int8, uint8): this path's quantized GEMM and depthwise kernels.
foreach (var c in OpCases.QuantizedConvolutionCases(new Random(1313)).Concat(OpCases.QuantizedElementwiseCases(new Random(1314))).Concat(OpCases.QuantizedBinaryCases(new Random(1315))).Concat(OpCases.QuantizedResizeCases(new Random(1316))).Concat(OpCases.QuantizedSoftmaxCases(new Random(1317))).Concat(OpCases.Int16SigmoidCases(new Random(1318))))
    Check(c);
Console.WriteLine($"quantized convolution cases done in {clock.Elapsed.TotalSeconds:F1} s");

// int8/uint8 CONV_2D + the residual ADD that alone reads it (fused into one pass), either operand order.
foreach (var c in OpCases.QuantizedResidualAddCases(new Random(1319)))
    Check(c);
Console.WriteLine($"quantized residual ADD cases done in {clock.Elapsed.TotalSeconds:F1} s");

// int8/uint8 PRELU: channel-vector, element-wise and single-value alphas 8 lanes at a time, the general broadcast walk.
foreach (var c in OpCases.QuantizedPreluCases(new Random(1317)))
    Check(c);
Console.WriteLine($"quantized PRELU cases done in {clock.Elapsed.TotalSeconds:F1} s");

// int8, uint8 and int16 MAX_POOL_2D / AVERAGE_POOL_2D: this width's vectors with the overlapping last vector, the int32
// lanes of the average, the scalar steps below one vector and beyond the exact tap count.
foreach (var c in OpCases.QuantizedPoolCases(new Random(1320)))
    Check(c);
Console.WriteLine($"quantized pool cases done in {clock.Elapsed.TotalSeconds:F1} s");

// float32 TRANSPOSE_CONV with one output channel: pixels across this width's lanes, the input in channel planes.
foreach (var c in OpCases.SingleChannelTransposeConvCases(new Random(2640)))
    Check(c);
Console.WriteLine($"single-channel transpose convolution cases done in {clock.Elapsed.TotalSeconds:F1} s");

// Hybrid (dynamic-range) FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D: this path's int8 dot products (scalar, vpmaddwd, vpdpbusd).
foreach (var c in OpCases.HybridFullyConnectedCases(new Random(2626)).Concat(OpCases.HybridConv2DCases(new Random(2627))).Concat(OpCases.HybridDepthwiseCases(new Random(2628))))
    Check(c);
Console.WriteLine($"hybrid cases done in {clock.Elapsed.TotalSeconds:F1} s");

// Hybrid BATCH_MATMUL (this path's int8 dot products), hybrid TRANSPOSE_CONV (this width's lanes of output channels, each
// its own binary32 chain) and int8, uint8 and int16x8 TRANSPOSE_CONV (scalar, AVX2 or AVX-512BW vpmaddwd with int64 flushes).
foreach (var c in OpCases.HybridBatchMatMulCases(new Random(2629)).Concat(OpCases.HybridTransposeConvCases(new Random(2630)))
    .Concat(OpCases.Int16TransposeConvCases(new Random(2631))).Concat(OpCases.QuantizedTransposeConvCases(new Random(2632))))
    Check(c);
Console.WriteLine($"hybrid BATCH_MATMUL and TRANSPOSE_CONV, integer TRANSPOSE_CONV cases done in {clock.Elapsed.TotalSeconds:F1} s");

// int16x8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED (this path's vpmaddwd / vpmulld lanes with int64 flushes, the
// 16-lane requantization), int16 ADD, SUB, MUL (this width's lanes) and QUANTIZE.
foreach (var c in OpCases.Int16ConvolutionCases(new Random(2634)).Concat(OpCases.Int16ElementwiseCases(new Random(2635))))
    Check(c);
Console.WriteLine($"int16x8 cases done in {clock.Elapsed.TotalSeconds:F1} s");

// Float32 CONV_2D with 1–3 output channels: this width's pixel vectors, the zero-padded ring and the scalar borders.
foreach (var c in OpCases.FewOutputChannelConvCases(new Random(2633)))
    Check(c);
Console.WriteLine($"few-output-channel CONV_2D cases done in {clock.Elapsed.TotalSeconds:F1} s");

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
        Check(c);
        Console.WriteLine($"{model} done at {clock.Elapsed.TotalSeconds:F1} s");
    }

Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 && passed > 0 ? 0 : 1;
#endif
