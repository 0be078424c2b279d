using System.Text.Json.Nodes;

namespace Accel.Cli;

/// <summary><c>accel inspect MODEL [--json]</c>: what a model declares and what allocating it costs.</summary>
public static partial class InspectCommand
{
    /// <summary>What --help prints above the generated usage and options.</summary>
    internal const string Description = """
        Describes MODEL (a .tflite file): inputs and outputs (name, shape, dtype, quantization),
        the operator histogram with versions (e.g. CONV_2D v1 x21), tensor and node counts, how many
        nodes are folded to constants at allocate time, constant bytes in the file, folded-constant
        bytes, the planned activation arena (after AllocateTensors), and the estimated work per
        operator kind plus the top 10 nodes by MACs.

        Work estimate (folded nodes excluded): MACs (multiply-accumulates) for CONV_2D (out x KH*KW*Cin),
        DEPTHWISE_CONV_2D (out x KH*KW), FULLY_CONNECTED (out x K), TRANSPOSE_CONV and
        Convolution2DTransposeBias (in x KH*KW*Cout), BATCH_MATMUL (out x K). Everything else is counted
        separately as elementwise "ops", one per element: arithmetic/activations = output elements,
        pools = output elements x filter area, MEAN/SUM/REDUCE_* = input elements; pure data movement
        (RESHAPE, CONCATENATION, PAD, ...) counts 0.

        If the model cannot be allocated (unsupported operators, a kernel rejecting a node), inspect
        still reports what the file declares, estimates work from the declared shapes, and says why the
        arena and folded-constant figures are missing.

        With --delegate, also prints the execution plan: each partition, its executor, node count,
        boundary tensors and bytes, and every node a delegate refused with the reason; --dot FILE
        writes the partitioned graph as Graphviz DOT (render with: dot -Tsvg FILE -o plan.svg).
        """;

    private const int TopNodeCount = 10;

    public static int Execute(ParsedArgs parsed, TextWriter stdout, CliEnvironment environment)
    {
        if (parsed.Positionals.Count != 1)
            throw new UsageException(parsed.Positionals.Count == 0 ? "no MODEL given" : $"expected one MODEL, got {parsed.Positionals.Count} arguments", "inspect");
        string path = parsed.Positionals[0];

        // inspect describes the model; a plan only when --delegate asks for one (the reference runs everything otherwise).
        var interpreterOptions = DelegateCatalog.CreateOptions(parsed.Value("--delegate") ?? "reference",
            DelegateCatalog.ParseThreads(parsed.Value("--threads"), "inspect"), "inspect", environment);
        using var model = Formatting.OpenModel(path);
        var report = Build(model, path, interpreterOptions, parsed.Value("--dot"));
        if (parsed.Has("--json")) stdout.Write(OutputWriter.ToJson(report.ToJson()));
        else report.WriteText(stdout);
        return AccelCli.ExitOk;
    }

    private static InspectReport Build(Model model, string path, InterpreterOptions interpreterOptions, string? dotPath)
    {
        var subgraph = model.MainSubgraph;
        var report = new InspectReport
        {
            Path = Path.GetFullPath(path),
            Model = model,
            Sha256 = Formatting.FileSha256(path),
            Histogram = subgraph.Operators
                .Select(op => model.OperatorCodeOf(op))
                .GroupBy(code => (code.Name, code.Version))
                .Select(g => (g.Key.Name, g.Key.Version, Count: g.Count()))
                .OrderByDescending(h => h.Count).ThenBy(h => h.Name, StringComparer.Ordinal).ThenBy(h => h.Version)
                .ToArray(),
        };

        Interpreter? interpreter = null;
        try
        {
            interpreter = new Interpreter(model, interpreterOptions);
            interpreter.AllocateTensors();
        }
        catch (AccelException e) when (e is UnsupportedOperatorException or KernelException or InterpreterStateException)
        {
            interpreter?.Dispose();
            interpreter = null;
            report.AllocationError = e.Message;
        }

        using (interpreter)
        {
            if (interpreter is not null)
            {
                report.Allocated = true;
                report.Plan = interpreter.Plan;
                report.ShowPlan = interpreterOptions.Delegates.Count > 0;
                if (dotPath is not null) File.WriteAllText(dotPath, interpreter.Graph.ToDot(interpreter.Plan));
                report.ArenaBytes = interpreter.ArenaBytes;
                report.FoldedConstantBytes = interpreter.FoldedConstantBytes;
                report.FoldedNodes = interpreter.Graph.Nodes.Count(n => n.IsFolded);
                report.Inputs = interpreter.GetInputDetails().Select(d => new TensorSummary(d.Name, d.Shape, d.Type, d.Quantization)).ToArray();
                report.Outputs = interpreter.GetOutputDetails().Select(d => new TensorSummary(d.Name, d.Shape, d.Type, d.Quantization)).ToArray();
                report.Work = MacEstimator.Estimate(interpreter);
                // Shapes are copied out before the interpreter is disposed.
                report.TopNodes = report.Work.TopNodesByMacs(TopNodeCount)
                    .Select(n => (n, n.OutputTensor >= 0 ? interpreter.Tensors[n.OutputTensor].Shape.ToArray() : [])).ToArray();
            }
            else
            {
                TensorSummary Declared(int t) => new(subgraph.Tensors[t].Name, subgraph.Tensors[t].Shape, subgraph.Tensors[t].Type, subgraph.Tensors[t].Quantization);
                report.Inputs = subgraph.Inputs.Select(Declared).ToArray();
                report.Outputs = subgraph.Outputs.Select(Declared).ToArray();
                report.Work = MacEstimator.EstimateDeclared(model);
                report.FoldedNodes = report.Work.ExcludedFoldedNodes;
                report.TopNodes = report.Work.TopNodesByMacs(TopNodeCount).Select(n => (n, n.OutputTensor >= 0 ? subgraph.Tensors[n.OutputTensor].Shape : [])).ToArray();
            }
        }
        return report;
    }

    private sealed record TensorSummary(string Name, int[] Shape, TensorType Type, QuantizationParameters Quantization);

    private sealed class InspectReport
    {
        public required string Path { get; init; }
        public required Model Model { get; init; }
        public required string Sha256 { get; init; }
        public Accel.Delegates.ExecutionPlan? Plan { get; set; }
        public bool ShowPlan { get; set; }
        public required (string Name, int Version, int Count)[] Histogram { get; init; }
        public bool Allocated { get; set; }
        public string? AllocationError { get; set; }
        public long? ArenaBytes { get; set; }
        public long? FoldedConstantBytes { get; set; }
        public int FoldedNodes { get; set; }
        public TensorSummary[] Inputs { get; set; } = [];
        public TensorSummary[] Outputs { get; set; } = [];
        public WorkEstimate Work { get; set; } = new([], 0);
        public (NodeWork Node, int[] OutputShape)[] TopNodes { get; set; } = [];

        private ModelSubgraph Main => Model.MainSubgraph;

        public void WriteText(TextWriter w)
        {
            w.WriteLine($"model: {System.IO.Path.GetFileName(Path)}  ({Formatting.Bytes(Model.SizeInBytes)}, schema v{Model.Version}, sha256 {Sha256})");
            if (!string.IsNullOrEmpty(Model.Description)) w.WriteLine($"description: {Model.Description}");
            w.WriteLine($"subgraphs: {Model.Subgraphs.Count} (main: '{Main.Name}')  signatures: {(Model.Signatures.Count == 0 ? "none" : string.Join(", ", Model.Signatures.Select(s => s.Key)))}");
            w.WriteLine();
            WriteTensors(w, "inputs", Inputs);
            WriteTensors(w, "outputs", Outputs);
            w.WriteLine();

            int nodes = Main.Operators.Length;
            w.WriteLine($"tensors:               {Main.Tensors.Length}");
            w.WriteLine($"nodes:                 {nodes} ({FoldedNodes} folded to constants {(Allocated ? "at allocate time" : "(estimated from the file)")}, {nodes - FoldedNodes} run on each invoke)");
            w.WriteLine($"constant bytes:        {Formatting.Bytes(Model.ConstantBytes)}");
            w.WriteLine($"folded-constant bytes: {(FoldedConstantBytes is long f ? Formatting.Bytes(f) : "unknown (not allocated)")}");
            w.WriteLine($"arena bytes (planned): {(ArenaBytes is long a ? Formatting.Bytes(a) : "unknown (not allocated)")}");
            if (AllocationError is not null)
            {
                w.WriteLine();
                // The first line says why (for unsupported operators: every kind); 'accel run' prints the full node list.
                w.WriteLine($"note: not allocated, so shapes and folding are as declared in the file: {AllocationError.Split('\n')[0].TrimEnd('\r')}");
            }
            w.WriteLine();

            w.WriteLine("operators (main subgraph):");
            var histogram = new TextTable("operator", "version", ">nodes");
            foreach (var (name, version, count) in Histogram) histogram.Add(name, $"v{version}", $"×{count}");
            histogram.Write(w);
            w.WriteLine();

            w.WriteLine($"estimated work ({Work.Nodes.Count} executed nodes; MACs = multiply-accumulates; ops = other arithmetic, 1 per element):");
            var byOperator = new TextTable("operator", ">nodes", ">MACs", ">% MACs", ">ops");
            foreach (var o in Work.ByOperator)
                byOperator.Add(o.Operator, o.Count.ToString(Formatting.Invariant), Formatting.Count(o.Macs), Formatting.Percent(o.Macs, Work.TotalMacs), Formatting.Count(o.ElementwiseOps));
            byOperator.Add("total", Work.Nodes.Count.ToString(Formatting.Invariant), Formatting.Count(Work.TotalMacs), Work.TotalMacs == 0 ? "-" : "100.0%", Formatting.Count(Work.TotalElementwiseOps));
            byOperator.Write(w);
            w.WriteLine($"  total: {Formatting.Short(Work.TotalMacs)} MACs, {Formatting.Short(Work.TotalElementwiseOps)} ops");
            w.WriteLine();

            w.WriteLine($"top {TopNodeCount} nodes by MACs:");
            if (TopNodes.Length == 0)
            {
                w.WriteLine("  (no node has MACs)");
                return;
            }
            var top = new TextTable(">node", "operator", "output", ">MACs", ">% MACs");
            foreach (var (node, shape) in TopNodes)
            {
                string output = node.OutputTensor >= 0 ? $"{Main.Tensors[node.OutputTensor].Name} {Formatting.Shape(shape)}" : "-";
                top.Add(node.Node.ToString(Formatting.Invariant), node.Operator, output, Formatting.Count(node.Macs), Formatting.Percent(node.Macs, Work.TotalMacs));
            }
            top.Write(w);
            if (ShowPlan && Plan is not null)
            {
                w.WriteLine();
                DelegateCatalog.WritePlan(Plan, w);
            }
        }

        private static JsonObject PlanJson(Accel.Delegates.ExecutionPlan plan)
        {
            JsonArray Boundary(Accel.Delegates.PlannedBoundaryTensor[] tensors) => new(tensors.Select(t => (JsonNode)new JsonObject
            {
                ["tensor"] = t.TensorIndex,
                ["name"] = t.Name,
                ["bytes"] = t.Bytes,
            }).ToArray());
            return new JsonObject
            {
                ["delegatedNodes"] = plan.DelegatedNodeCount,
                ["partitions"] = new JsonArray(plan.Partitions.Select(p => (JsonNode)new JsonObject
                {
                    ["index"] = p.Index,
                    ["executor"] = p.Executor,
                    ["nodes"] = new JsonArray(p.Nodes.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
                    ["inputs"] = Boundary(p.Inputs),
                    ["outputs"] = Boundary(p.Outputs),
                    ["boundaryBytes"] = p.BoundaryBytes,
                }).ToArray()),
                ["refused"] = new JsonArray(plan.Refused.Select(r => (JsonNode)new JsonObject
                {
                    ["node"] = r.Node,
                    ["operator"] = r.Operator,
                    ["delegate"] = r.Delegate,
                    ["reason"] = r.Reason,
                }).ToArray()),
            };
        }

        private static void WriteTensors(TextWriter w, string title, TensorSummary[] tensors)
        {
            w.WriteLine($"{title}:");
            bool anyQuantized = tensors.Any(t => t.Quantization.IsQuantized);
            var table = anyQuantized ? new TextTable(">#", "name", "type", "quantization") : new TextTable(">#", "name", "type");
            for (int i = 0; i < tensors.Length; i++)
            {
                var t = tensors[i];
                table.Add($"[{i}]", t.Name, Formatting.TypeAndShape(t.Type, t.Shape), Formatting.Quantization(t.Quantization) ?? "");
            }
            table.Write(w);
        }

        public JsonObject ToJson()
        {
            JsonArray Tensors(TensorSummary[] tensors) => new(tensors.Select((t, i) =>
            {
                var o = new JsonObject
                {
                    ["index"] = i,
                    ["name"] = t.Name,
                    ["shape"] = OutputWriter.ShapeJson(t.Shape),
                    ["dtype"] = t.Type.ToDisplayName(),
                };
                if (t.Quantization.IsQuantized)
                {
                    o["quantization"] = new JsonObject
                    {
                        ["scale"] = new JsonArray(t.Quantization.Scale.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
                        ["zeroPoint"] = new JsonArray(t.Quantization.ZeroPoint.Select(z => (JsonNode)JsonValue.Create(z)).ToArray()),
                        ["quantizedDimension"] = t.Quantization.QuantizedDimension,
                    };
                }
                return (JsonNode)o;
            }).ToArray());

            int nodes = Main.Operators.Length;
            return new JsonObject
            {
                ["schema"] = JsonSchemas.Inspect,
                ["model"] = System.IO.Path.GetFileName(Path),
                ["path"] = Path,
                ["sizeBytes"] = Model.SizeInBytes,
                ["sha256"] = Sha256,
                ["schemaVersion"] = Model.Version,
                ["description"] = Model.Description,
                ["subgraphs"] = Model.Subgraphs.Count,
                ["signatures"] = new JsonArray(Model.Signatures.Select(s => (JsonNode)JsonValue.Create(s.Key)).ToArray()),
                ["inputs"] = Tensors(Inputs),
                ["outputs"] = Tensors(Outputs),
                ["tensors"] = Main.Tensors.Length,
                ["nodes"] = nodes,
                ["foldedNodes"] = FoldedNodes,
                ["executedNodes"] = nodes - FoldedNodes,
                ["constantBytes"] = Model.ConstantBytes,
                ["foldedConstantBytes"] = FoldedConstantBytes,
                ["arenaBytes"] = ArenaBytes,
                ["allocated"] = Allocated,
                ["allocationError"] = AllocationError,
                ["plan"] = ShowPlan && Plan is not null ? PlanJson(Plan) : null,
                ["operators"] = new JsonArray(Histogram.Select(h => (JsonNode)new JsonObject
                {
                    ["operator"] = h.Name,
                    ["version"] = h.Version,
                    ["count"] = h.Count,
                }).ToArray()),
                ["work"] = new JsonObject
                {
                    ["shapes"] = Allocated ? "allocated" : "declared",
                    ["totalMacs"] = Work.TotalMacs,
                    ["totalElementwiseOps"] = Work.TotalElementwiseOps,
                    ["byOperator"] = new JsonArray(Work.ByOperator.Select(o => (JsonNode)new JsonObject
                    {
                        ["operator"] = o.Operator,
                        ["count"] = o.Count,
                        ["macs"] = o.Macs,
                        ["elementwiseOps"] = o.ElementwiseOps,
                    }).ToArray()),
                    ["topNodes"] = new JsonArray(TopNodes.Select(t => (JsonNode)new JsonObject
                    {
                        ["node"] = t.Node.Node,
                        ["operator"] = t.Node.Operator,
                        ["version"] = t.Node.Version,
                        ["output"] = t.Node.OutputTensor >= 0 ? Main.Tensors[t.Node.OutputTensor].Name : null,
                        ["outputShape"] = OutputWriter.ShapeJson(t.OutputShape),
                        ["macs"] = t.Node.Macs,
                    }).ToArray()),
                },
            };
        }
    }
}
