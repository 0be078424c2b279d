namespace Accel.Conversion;

/// <summary>Spatial geometry of Conv / ConvTranspose / MaxPool / AveragePool, with explicit begin/end pads.</summary>
internal sealed record ConvGeometry(int[] Input, int[] Kernel, int[] Strides, int[] Dilations, int[] PadBegin, int[] PadEnd, int[] Output, bool CeilMode)
{
    public static ConvGeometry Of(Graph g, Node node)
    {
        var x = g[node.Input(0)].Shape!;
        int spatial = x.Length - 2;
        if (spatial < 1) throw new OnnxConversionException($"{node}: input rank {x.Length} is too small", new[] { node.Name });
        int[] input = x[2..];
        int[] kernel = node.OpType is "Conv" or "ConvTranspose"
            ? (node.Ints("kernel_shape")?.Select(v => (int)v).ToArray() ?? g[node.Input(1)].Shape![2..])
            : node.Ints("kernel_shape")?.Select(v => (int)v).ToArray() ?? throw new OnnxConversionException($"{node}: no kernel_shape", new[] { node.Name });
        int[] strides = node.Ints("strides")?.Select(v => (int)v).ToArray() ?? Enumerable.Repeat(1, spatial).ToArray();
        int[] dilations = node.Ints("dilations")?.Select(v => (int)v).ToArray() ?? Enumerable.Repeat(1, spatial).ToArray();
        long[] pads = node.Ints("pads") ?? new long[2 * spatial];
        // One kernel size, stride and dilation (all ≥ 1) per spatial axis, two non-negative pads each, and an
        // effective kernel (k − 1)·d + 1 that fits int32: the arithmetic below relies on all of it.
        if (kernel.Length != spatial || strides.Length != spatial || dilations.Length != spatial || pads.Length != 2 * spatial
            || kernel.Any(k => k < 1) || strides.Any(v => v < 1) || dilations.Any(v => v < 1) || pads.Any(v => v is < 0 or > int.MaxValue)
            || kernel.Zip(dilations).Any(kd => (long)(kd.First - 1) * kd.Second + 1 > int.MaxValue))
            throw new OnnxConversionException(
                $"{node}: kernel [{string.Join(",", kernel)}], strides [{string.Join(",", strides)}], dilations [{string.Join(",", dilations)}] " +
                $"and pads [{string.Join(",", pads)}] do not describe {spatial} spatial axes (each ≥ 1, pads ≥ 0, within int32)", new[] { node.Name });
        bool ceil = node.Int("ceil_mode", 0) != 0;
        string autoPad = node.Str("auto_pad", "NOTSET");
        var begin = new int[spatial];
        var end = new int[spatial];
        var output = new int[spatial];
        bool transpose = node.OpType == "ConvTranspose";
        long[]? outputPadding = node.Ints("output_padding");
        long[]? outputShape = node.Ints("output_shape");
        for (int i = 0; i < spatial; i++)
        {
            int effective = (kernel[i] - 1) * dilations[i] + 1;
            if (transpose)
            {
                int op = outputPadding is null ? 0 : (int)outputPadding[i];
                int full = strides[i] * (input[i] - 1) + op + effective;
                if (outputShape is not null || autoPad is "SAME_UPPER" or "SAME_LOWER")
                {
                    int target = outputShape is not null ? (int)outputShape[^(spatial - i)] : input[i] * strides[i];
                    int total = full - target;
                    begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                }
                else if (autoPad != "VALID")
                {
                    begin[i] = (int)pads[i]; end[i] = (int)pads[i + spatial];
                }
                output[i] = full - begin[i] - end[i];
                continue;
            }
            switch (autoPad)
            {
                case "SAME_UPPER":
                case "SAME_LOWER":
                {
                    int o = (input[i] + strides[i] - 1) / strides[i];
                    int total = Math.Max((o - 1) * strides[i] + effective - input[i], 0);
                    begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                    break;
                }
                case "VALID":
                    break;
                default:
                    begin[i] = (int)pads[i]; end[i] = (int)pads[i + spatial];
                    break;
            }
            int span = input[i] + begin[i] + end[i] - effective;
            if (span < 0) throw new OnnxConversionException($"{node}: the kernel ({effective}) is larger than the padded input ({input[i] + begin[i] + end[i]})", new[] { node.Name });
            output[i] = (ceil ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
            // ONNX (like PyTorch) drops a last window that would start in the end padding.
            if (ceil && (output[i] - 1) * strides[i] >= input[i] + begin[i]) output[i]--;
        }
        return new ConvGeometry(input, kernel, strides, dilations, begin, end, output, ceil);
    }

    /// <summary>TFLite's SAME padding (before = total/2) for one spatial axis, and its output size.</summary>
    public static (int Before, int After, int Output) TfSame(int input, int kernel, int stride, int dilation)
    {
        int effective = (kernel - 1) * dilation + 1;
        int output = (input + stride - 1) / stride;
        int total = Math.Max((output - 1) * stride + effective - input, 0);
        return (total / 2, total - total / 2, output);
    }

    /// <summary>True when these pads are all zero (TFLite VALID).</summary>
    public bool IsValid => PadBegin.All(p => p == 0) && PadEnd.All(p => p == 0);

    /// <summary>True when TFLite's SAME gives exactly these pads and output sizes.</summary>
    public bool IsTfSame()
    {
        for (int i = 0; i < Input.Length; i++)
        {
            var (b, a, o) = TfSame(Input[i], Kernel[i], Strides[i], Dilations[i]);
            if (b != PadBegin[i] || o != Output[i]) return false;
            // The end pad may exceed what the last window touches; only the pads a window reads matter.
            int effective = (Kernel[i] - 1) * Dilations[i] + 1;
            int needEnd = Math.Max((Output[i] - 1) * Strides[i] + effective - Input[i] - PadBegin[i], 0);
            if (Math.Min(a, needEnd) != Math.Min(PadEnd[i], needEnd) || a < needEnd) return false;
        }
        return true;
    }
}
