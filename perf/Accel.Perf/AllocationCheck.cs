using System.Globalization;
using System.Text;

namespace Accel.Perf;

/// <summary>
/// <c>allocations</c> command: exact managed bytes allocated by Invoke on the calling thread, per model. BDN's
/// MemoryDiagnoser counts the whole process (GC.GetTotalAllocatedBytes), so a multi-second invoke measured once can
/// pick up a background thread's few KB (tiered JIT, timers); this per-thread count is the proof of "0 B per invoke".
/// </summary>
public static class AllocationCheck
{
    public static string Run(IEnumerable<string> models, int warmupInvokes = 2, int measuredInvokes = 3)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| Model | Managed B per invoke (calling thread, mean of {measuredInvokes} after {warmupInvokes} warm-up) |");
        text.AppendLine("| --- | ---: |");
        foreach (string name in models)
        {
            using var model = Model.FromFile(CorpusModels.PathOf(name));
            using var interpreter = new Interpreter(model, new InterpreterOptions());
            interpreter.AllocateTensors();
            CorpusModels.FillInputs(interpreter);
            for (int i = 0; i < warmupInvokes; i++) interpreter.Invoke();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < measuredInvokes; i++) interpreter.Invoke();
            long perInvoke = (GC.GetAllocatedBytesForCurrentThread() - before) / measuredInvokes;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {perInvoke} |");
            Console.Error.WriteLine($"{name}: {perInvoke} B per invoke");
        }
        return text.ToString();
    }
}
