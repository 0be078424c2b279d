namespace Accel;

/// <summary>
/// Declared limits for loading a model (<see cref="Model.FromFile(string, ModelLoadOptions?)"/>,
/// <see cref="Model.FromMemory(ReadOnlyMemory{byte}, ModelLoadOptions?)"/>). The verifier already bounds every
/// structure by the file's own bytes; these bound what a file may ask of an application that loads files it did not
/// make. Exceeding one throws <see cref="ResourceLimitException"/> naming it.
/// </summary>
public sealed record ModelLoadOptions
{
    /// <summary>The defaults, as used by the overloads without options.</summary>
    public static ModelLoadOptions Default { get; } = new();

    /// <summary>Largest file (or buffer), in bytes. Default 16 GiB.</summary>
    public long MaxFileBytes { get; init; } = 16L << 30;

    /// <summary>Most subgraphs. Default 10,000.</summary>
    public int MaxSubgraphs { get; init; } = 10_000;

    /// <summary>Most operators, over all subgraphs. Default 1,000,000.</summary>
    public int MaxOperators { get; init; } = 1_000_000;

    /// <summary>Most tensors, over all subgraphs. Default 1,000,000.</summary>
    public int MaxTensors { get; init; } = 1_000_000;

    internal void CheckSize(long bytes, string source)
    {
        if (bytes > MaxFileBytes)
            throw new ResourceLimitException("ModelLoadOptions.MaxFileBytes", MaxFileBytes, bytes, -1, $"{source}: bytes");
    }

    /// <summary>Returns <paramref name="model"/> when within the limits; otherwise throws (the caller releases it).</summary>
    internal Model Check(Model model, string source)
    {
        long operators = 0, tensors = 0;
        foreach (var subgraph in model.Subgraphs)
        {
            operators += subgraph.Operators.Length;
            tensors += subgraph.Tensors.Length;
        }
        if (model.Subgraphs.Count > MaxSubgraphs)
            throw new ResourceLimitException("ModelLoadOptions.MaxSubgraphs", MaxSubgraphs, model.Subgraphs.Count, -1, $"{source}: subgraphs");
        if (operators > MaxOperators)
            throw new ResourceLimitException("ModelLoadOptions.MaxOperators", MaxOperators, operators, -1, $"{source}: operators");
        if (tensors > MaxTensors)
            throw new ResourceLimitException("ModelLoadOptions.MaxTensors", MaxTensors, tensors, -1, $"{source}: tensors");
        return model;
    }
}
