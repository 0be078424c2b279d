namespace Accel;

/// <summary>Base of every error Accel throws on purpose.</summary>
public class AccelException : Exception
{
    public AccelException(string message) : base(message) { }
    public AccelException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The model file is malformed: truncated, an offset or index out of range, a buffer whose size does not match
/// its tensor. <see cref="FieldPath"/> names where, e.g. <c>subgraphs[0].operators[12].inputs[3]</c>.
/// </summary>
public sealed class ModelFormatException : AccelException
{
    public string FieldPath { get; }
    public string Problem { get; }

    public ModelFormatException(string fieldPath, string problem)
        : base($"Malformed model at {fieldPath}: {problem}")
    {
        FieldPath = fieldPath;
        Problem = problem;
    }
}

/// <summary>
/// The model file cannot be opened: the path does not exist, names a directory, or cannot be read.
/// <see cref="Path"/> is the path as given.
/// </summary>
public sealed class ModelFileException : AccelException
{
    public ModelFileException(string path, string problem, Exception? inner = null)
        : base($"Cannot open model '{path}': {problem}", inner ?? new IOException(problem))
    {
        Path = path;
    }

    public string Path { get; }
}

/// <summary>One operator the resolver cannot run, with the reason.</summary>
public readonly record struct UnsupportedOperator(int NodeIndex, string OperatorName, int Version, string Reason)
{
    public override string ToString() => $"node {NodeIndex}: {OperatorName} v{Version}: {Reason}";
}

/// <summary>The model uses operators (or versions) that no registered kernel handles; lists all of them at once.</summary>
public sealed class UnsupportedOperatorException : AccelException
{
    public IReadOnlyList<UnsupportedOperator> Operators { get; }

    public UnsupportedOperatorException(IReadOnlyList<UnsupportedOperator> operators)
        : base(BuildMessage(operators))
    {
        Operators = operators;
    }

    private static string BuildMessage(IReadOnlyList<UnsupportedOperator> operators)
    {
        var distinct = operators.Select(o => $"{o.OperatorName} v{o.Version}").Distinct().ToArray();
        return $"Unsupported operators ({operators.Count} nodes, {distinct.Length} kinds): " + string.Join(", ", distinct)
            + Environment.NewLine + string.Join(Environment.NewLine, operators.Select(o => "  " + o));
    }
}

/// <summary>A caller's tensor access does not fit: wrong dtype, wrong element count, unknown name or index.</summary>
public sealed class TensorAccessException : AccelException
{
    public TensorAccessException(string message) : base(message) { }
}

/// <summary>A kernel rejected its node at prepare or invoke time (shapes, dtypes, options). Names the node.</summary>
public sealed class KernelException : AccelException
{
    public int NodeIndex { get; }
    public string OperatorName { get; }

    public KernelException(int nodeIndex, string operatorName, string message)
        : base($"node {nodeIndex} ({operatorName}): {message}")
    {
        NodeIndex = nodeIndex;
        OperatorName = operatorName;
    }

    public KernelException(int nodeIndex, string operatorName, string message, Exception inner)
        : base($"node {nodeIndex} ({operatorName}): {message}", inner)
    {
        NodeIndex = nodeIndex;
        OperatorName = operatorName;
    }
}

/// <summary>An API call made in the wrong state, e.g. Invoke before AllocateTensors.</summary>
public sealed class InterpreterStateException : AccelException
{
    public InterpreterStateException(string message) : base(message) { }
}

/// <summary>
/// A model asks for more than a declared limit allows (<see cref="InterpreterOptions"/>, <see cref="ModelLoadOptions"/>):
/// names the limit, its value, what was asked for (<c>what</c> names the quantity: "node 3 (CONV_2D): bytes of tensor 'x'"), and the tensor or node that asked. Nothing was allocated from the
/// unchecked size.
/// </summary>
public sealed class ResourceLimitException : AccelException
{
    /// <summary>The option that was exceeded, e.g. "InterpreterOptions.MaxTensorBytes".</summary>
    public string LimitName { get; }
    public long Limit { get; }
    public long Requested { get; }

    /// <summary>The node that asked, or -1 when a whole model or a graph input did.</summary>
    public int NodeIndex { get; }

    public ResourceLimitException(string limitName, long limit, long requested, int nodeIndex, string what)
        : base($"{what}: {requested:N0} is over {limitName} = {limit:N0}")
    {
        LimitName = limitName;
        Limit = limit;
        Requested = requested;
        NodeIndex = nodeIndex;
    }
}
