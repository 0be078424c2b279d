namespace Accel.Conversion;

/// <summary>Shape arithmetic shared by shape inference, constant folding and lowering.</summary>
internal static class Shapes
{
    public static long Count(int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n = checked(n * d);
        return n;
    }

    public static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    public static int Axis(long axis, int rank, Node node)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new OnnxConversionException($"{node}: axis {axis} is out of range for rank {rank}", new[] { node.Name });
        return (int)a;
    }

    public static int[] Broadcast(int[] a, int[] b, Node node)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new OnnxConversionException($"{node}: shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast", new[] { node.Name });
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>Flat index into a tensor of shape <paramref name="src"/> broadcast to <paramref name="dst"/>.</summary>
    /// <summary>
    /// Refuses a folded constant of <paramref name="elements"/> beyond <see cref="Graph.MaxFoldedElements"/>
    /// (ConvertOptions.MaxFoldedElements), or negative: a folded value is built in memory, so it is checked first.
    /// </summary>
    public static void CheckFoldable(Graph g, double elements, string what)
    {
        if (!(elements >= 0 && elements <= g.MaxFoldedElements))
            throw new OnnxConversionException($"{what}: folding it would build a constant of {elements:0} elements, beyond the converter's limit of {g.MaxFoldedElements}{PowerOfTwo(g.MaxFoldedElements)} (ConvertOptions.MaxFoldedElements)");
    }

    /// <summary>" (2^k)" for a power of two, else "": how the default limits read in messages.</summary>
    public static string PowerOfTwo(long value) => value > 0 && (value & (value - 1)) == 0 ? $" (2^{System.Numerics.BitOperations.Log2((ulong)value)})" : "";

    public static int[] BroadcastIndex(Graph g, int[] src, int[] dst)
    {
        long n = Count(dst);
        CheckFoldable(g, n, $"a broadcast to [{string.Join(",", dst)}]");
        var map = new int[n];
        var srcStrides = Strides(src);
        var dstStrides = Strides(dst);
        int offset = dst.Length - src.Length;
        for (int flat = 0; flat < n; flat++)
        {
            int rem = flat, index = 0;
            for (int d = 0; d < dst.Length; d++)
            {
                int coord = rem / dstStrides[d];
                rem -= coord * dstStrides[d];
                int sd = d - offset;
                if (sd >= 0 && src[sd] != 1) index += coord * srcStrides[sd];
            }
            map[flat] = index;
        }
        return map;
    }

    /// <summary>ONNX Reshape's target: 0 copies the input dimension (unless allowzero), -1 is inferred.</summary>
    public static int[] ReshapeTarget(int[] input, long[] target, bool allowZero, Node node)
    {
        var r = new int[target.Length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.Length; i++)
        {
            long t = target[i];
            if (t == -1)
            {
                if (infer >= 0) throw new OnnxConversionException($"{node}: the shape has more than one -1", new[] { node.Name });
                infer = i;
                continue;
            }
            if (t == 0 && !allowZero)
            {
                if (i >= input.Length) throw new OnnxConversionException($"{node}: shape entry {i} is 0 (copy) but the input has rank {input.Length}", new[] { node.Name });
                t = input[i];
            }
            if (t < 0) throw new OnnxConversionException($"{node}: shape entry {t} is invalid", new[] { node.Name });
            r[i] = checked((int)t);
            known *= t;
        }
        long total = Count(input);
        if (infer >= 0)
        {
            if (known == 0 || total % known != 0)
                throw new OnnxConversionException($"{node}: cannot reshape [{string.Join(",", input)}] to [{string.Join(",", target)}]", new[] { node.Name });
            r[infer] = checked((int)(total / known));
        }
        else if (known != total)
            throw new OnnxConversionException($"{node}: cannot reshape [{string.Join(",", input)}] ({total} elements) to [{string.Join(",", target)}]", new[] { node.Name });
        return r;
    }

    /// <summary>Transposed flat-index map: out[i] = in[map[i]] for TFLite/ONNX perm semantics (out dim i = in dim perm[i]).</summary>
    public static int[] TransposeIndex(int[] inShape, int[] perm)
    {
        var outShape = perm.Select(p => inShape[p]).ToArray();
        var inStrides = Strides(inShape);
        var outStrides = Strides(outShape);
        long n = Count(inShape);
        var map = new int[n];
        for (int flat = 0; flat < n; flat++)
        {
            int rem = flat, index = 0;
            for (int d = 0; d < outShape.Length; d++)
            {
                int c = rem / outStrides[d];
                rem -= c * outStrides[d];
                index += c * inStrides[perm[d]];
            }
            map[flat] = index;
        }
        return map;
    }

    public static int[] Permute(int[] shape, int[] perm) => perm.Select(p => shape[p]).ToArray();

    public static int[] Inverse(int[] perm)
    {
        var inv = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        return inv;
    }

    public static bool IsIdentity(int[] perm)
    {
        for (int i = 0; i < perm.Length; i++) if (perm[i] != i) return false;
        return true;
    }

    public static int[] Identity(int rank) => Enumerable.Range(0, rank).ToArray();

    /// <summary>ONNX Slice parameters normalized for one axis: start, step, and element count (ONNX clamping rules).</summary>
    public static (int Start, int Step, int Count) SliceAxis(int dim, long start, long end, long step)
    {
        if (step == 0) throw new OnnxConversionException("Slice step 0");
        if (start < 0) start += dim;
        if (end < 0) end += dim;
        if (step > 0)
        {
            start = Math.Clamp(start, 0, dim);
            end = Math.Clamp(end, 0, dim);
            long count = end > start ? (end - start + step - 1) / step : 0;
            return ((int)start, (int)step, (int)count);
        }
        else
        {
            start = Math.Clamp(start, 0, dim - 1);
            end = Math.Clamp(end, -1, dim - 1);
            long count = start > end ? (start - end + (-step) - 1) / (-step) : 0;
            return ((int)start, (int)step, (int)count);
        }
    }

    public static string Show(int[] shape) => "[" + string.Join(",", shape) + "]";
}
