namespace Accel;

/// <summary>
/// The construction-time check of the main subgraph's dataflow: every tensor a node reads must be a constant, an
/// input, a variable or written by an earlier node; no node writes a constant, a tensor it reads, or a tensor another
/// node writes; every output is written.
/// </summary>
internal static class DataflowCheck
{
    public static void Run(Model model, ModelSubgraph subgraph, Tensor[] tensors, IReadOnlyList<InterpreterNode> nodes)
    {
        var available = new bool[tensors.Length];
        for (int i = 0; i < tensors.Length; i++)
            available[i] = model.Buffer(subgraph.Tensors[i].BufferIndex).Length > 0 || tensors[i].IsVariable;
        foreach (int i in subgraph.Inputs) available[i] = true;
        var producer = new int[tensors.Length];
        Array.Fill(producer, -1);
        foreach (var node in nodes)
        {
            for (int k = 0; k < node.Operator.Inputs.Length; k++)
            {
                int i = node.Operator.Inputs[k];
                if (i >= 0 && !available[i])
                    throw new ModelFormatException($"subgraphs[0].operators[{node.Index}].inputs[{k}]",
                        $"tensor {i} ('{tensors[i].Name}') is read by {node.Code.Name} before any operator writes it and is neither an input nor a constant");
            }
            for (int k = 0; k < node.Operator.Outputs.Length; k++)
            {
                int o = node.Operator.Outputs[k];
                if (model.Buffer(subgraph.Tensors[o].BufferIndex).Length > 0)
                    throw new ModelFormatException($"subgraphs[0].operators[{node.Index}].outputs[{k}]",
                        $"tensor {o} ('{tensors[o].Name}') is a constant but {node.Code.Name} writes it");
                // Each tensor has one producer and no operator reads what it writes (a fuzzer finding: CAST with its
                // variable output as its input made the partitioner see a cycle).
                if (Array.IndexOf(node.Operator.Inputs, o) >= 0)
                    throw new ModelFormatException($"subgraphs[0].operators[{node.Index}].outputs[{k}]",
                        $"tensor {o} ('{tensors[o].Name}') is both read and written by {node.Code.Name}");
                if (producer[o] >= 0)
                    throw new ModelFormatException($"subgraphs[0].operators[{node.Index}].outputs[{k}]",
                        $"tensor {o} ('{tensors[o].Name}') is written by {node.Code.Name} and already by operator {producer[o]}");
                producer[o] = node.Index;
                available[o] = true;
            }
        }
        for (int k = 0; k < subgraph.Outputs.Length; k++)
            if (!available[subgraph.Outputs[k]])
                throw new ModelFormatException($"subgraphs[0].outputs[{k}]", $"output tensor {subgraph.Outputs[k]} is never written");
    }
}
