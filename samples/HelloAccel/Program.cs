// A new user's first Accel program, built against the NuGet packages: load a .tflite model, run it with the CPU
// delegate, print the outputs, and check them against the reference executor (Accel's CPU kernels are bit-exact).
// Usage: dotnet run -- [model.tflite]   (default: the corpus's face_detection_short_range model)
using Accel;

string modelPath = args.Length > 0
    ? args[0]
    : AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).ModelPath("face_detection_short_range");

using var model = Model.FromFile(modelPath);
Console.WriteLine($"{Path.GetFileName(modelPath)}: {model.SizeInBytes:N0} bytes, {model.MainSubgraph.Operators.Length} operators");

// The fast path in one line (the CPU delegate, the reference running what it refuses); new Interpreter(model) is the
// plain reference executor.
using var interpreter = CpuInterpreter.Create(model);
using var reference = new Interpreter(model);
interpreter.AllocateTensors();
reference.AllocateTensors();

// A deterministic input in [-1, 1], the range MediaPipe's models expect.
for (int i = 0; i < interpreter.InputCount; i++)
{
    var input = interpreter.Input<float>(i);
    for (int k = 0; k < input.Length; k++) input[k] = MathF.Sin(k * 0.001f);
    reference.SetInput<float>(i, input);
}
interpreter.Invoke();
reference.Invoke();

int mismatches = 0;
for (int o = 0; o < interpreter.OutputCount; o++)
{
    var tensor = interpreter.GetOutputTensor(o);
    var values = interpreter.Output<float>(o);
    bool same = values.SequenceEqual(reference.Output<float>(o));
    if (!same) mismatches++;
    Console.WriteLine($"  output {o} '{tensor.Name}' [{string.Join(",", tensor.Shape.ToArray())}]: " +
                      $"min {Min(values):G6} max {Max(values):G6}, {(same ? "identical to the reference" : "DIFFERS from the reference")}");
}
// The packages carry precompiled (ReadyToRun) images for linux-x64 and linux-arm64 beside the IL: there the host loads
// them and less is JIT-compiled at start-up.
foreach (var assembly in new[] { typeof(Model).Assembly, typeof(CpuInterpreter).Assembly })
    Console.WriteLine($"{assembly.GetName().Name}: {ReadyToRunTarget(assembly.Location) switch { null => "IL only", var target => $"ReadyToRun image for {target}" }} ({Path.GetRelativePath(AppContext.BaseDirectory, assembly.Location)})");
Console.WriteLine($"CPU delegate: {interpreter.Plan.DelegatedNodeCount} of {interpreter.NodeCount} nodes in {interpreter.Plan.Partitions.Count} partition(s); vector path: {Accel.Delegates.Cpu.CpuDelegate.VectorPath}");
return mismatches == 0 ? 0 : 1;

static float Min(ReadOnlySpan<float> v) { float m = float.PositiveInfinity; foreach (float x in v) m = MathF.Min(m, x); return m; }
static float Max(ReadOnlySpan<float> v) { float m = float.NegativeInfinity; foreach (float x in v) m = MathF.Max(m, x); return m; }
static string? ReadyToRunTarget(string path)
{
    using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(path));
    if (!(pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0)) return null;
    // An image's machine field is its target's, XOR-ed with 0x7B79 when the target OS is Linux.
    return ((ushort)pe.PEHeaders.CoffHeader.Machine ^ 0x7B79) switch
    {
        0x8664 => "linux-x64",
        0xAA64 => "linux-arm64",
        var machine => $"machine 0x{machine:X4}",
    };
}
