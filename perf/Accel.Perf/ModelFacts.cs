using System.Collections.Concurrent;

namespace Accel.Perf;

/// <summary>
/// Static facts about a corpus model that explain its timings: file size, constant bytes, structure size (what the
/// verifier walks), and after AllocateTensors the folded-constant and arena bytes. Arena/folded facts are null when
/// the interpreter cannot be built yet (e.g. an operator without a kernel).
/// </summary>
public sealed record ModelFacts(
    string Name,
    long FileBytes,
    long ConstantBytes,
    int TensorCount,
    int OperatorCount,
    long? FoldedConstantBytes,
    long? ArenaBytes,
    string? InterpreterError)
{
    private static readonly ConcurrentDictionary<string, ModelFacts> Cache = new();

    public static ModelFacts For(string name) => Cache.GetOrAdd(name, Measure);

    private static ModelFacts Measure(string name)
    {
        string path = CorpusModels.PathOf(name);
        using var model = Model.FromFile(path);
        long? folded = null, arena = null;
        string? error = null;
        try
        {
            using var interpreter = new Interpreter(model, new InterpreterOptions());
            interpreter.AllocateTensors();
            folded = interpreter.FoldedConstantBytes;
            arena = interpreter.ArenaBytes;
        }
        catch (UnsupportedOperatorException e)
        {
            error = "no kernel for " + string.Join(", ", e.Operators.Select(o => o.OperatorName).Distinct());
        }
        catch (AccelException e)
        {
            error = e.GetType().Name + ": " + e.Message.Split('\n')[0];
        }
        return new ModelFacts(name, model.SizeInBytes, model.ConstantBytes, model.MainSubgraph.Tensors.Length,
            model.MainSubgraph.Operators.Length, folded, arena, error);
    }

    /// <summary>Decimal megabytes (10^6 bytes), as file sizes are usually quoted.</summary>
    public const double BytesPerMB = 1_000_000.0;
    public double FileMB => FileBytes / BytesPerMB;
}
