namespace Accel.Conformance.Cases;

/// <summary>What a case exercises: a whole corpus model, or one operator built in memory.</summary>
public enum CaseKind
{
    Model,
    Op,
}

/// <summary>
/// One conformance case: a model and deterministic inputs. Its id is stable (it keys the goldens manifest and the
/// reports): <c>model/&lt;model&gt;/&lt;input set&gt;</c> or <c>op/&lt;op&gt;/&lt;dtype&gt;/&lt;variant&gt;</c>.
/// </summary>
public abstract class ConformanceCase
{
    protected ConformanceCase(string id) => Id = id;

    public string Id { get; }
    public abstract CaseKind Kind { get; }

    /// <summary>One line for people: what the case runs.</summary>
    public abstract string Summary { get; }

    /// <summary>A documented difference from TFLite for this case's operator, if any (see ops.json <c>tfliteNote</c>).</summary>
    public virtual string? TfliteNote => null;

    /// <summary>Builds or locates the model and makes the inputs. Throws <see cref="SuiteFileException"/> or <see cref="CaseDefinitionException"/>.</summary>
    public abstract CaseInstance Materialize(SuiteContext suite);

    public override string ToString() => Id;
}

/// <summary>A case's definition is wrong (unknown parameter, impossible shape); the message names the case and the file.</summary>
public sealed class CaseDefinitionException : Exception
{
    public CaseDefinitionException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A materialized case: the model (a verified file or in-memory bytes) and each input's raw little-endian bytes.</summary>
public sealed class CaseInstance
{
    public CaseInstance(string modelLabel, string? modelPath, byte[]? modelBytes, string modelSha256, IReadOnlyList<byte[]> inputs)
    {
        if ((modelPath is null) == (modelBytes is null)) throw new ArgumentException("exactly one of modelPath and modelBytes");
        ModelLabel = modelLabel;
        ModelPath = modelPath;
        ModelBytes = modelBytes;
        ModelSha256 = modelSha256;
        Inputs = inputs;
    }

    /// <summary>The model file, or a description of the in-memory model.</summary>
    public string ModelLabel { get; }
    public string? ModelPath { get; }
    public byte[]? ModelBytes { get; }
    public string ModelSha256 { get; }
    public IReadOnlyList<byte[]> Inputs { get; }

    public Model OpenModel() => ModelPath is not null ? Model.FromFile(ModelPath) : Model.FromBytes(ModelBytes!);
}
