using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

public sealed class DensifyKernelTests
{
    private static SparseDimension Dense(int size) => new(DimensionType.Dense, size, [], []);
    private static SparseDimension Csr(int[] segments, int[] indices) => new(DimensionType.SparseCsr, 0, segments, indices);

    private static float[] Densify(KernelTestHarness harness, int[] shape, SparsityParameters sparsity, float[] stored)
    {
        int input = harness.Constant<float>("sparse", TensorType.Float32, shape, stored, sparsity: sparsity);
        int output = harness.Output("dense");
        harness.Run(new DensifyKernel(), harness.Context("DENSIFY", null, [input], [output]));
        Assert.That(harness[output].Shape.ToArray(), Is.EqualTo(shape));
        return harness[output].Read<float>().ToArray();
    }

    [Test]
    public void RowMajorCsrLastDimension()
    {
        // 3x4: row 0 has column 1, row 1 columns 0 and 3, row 2 column 2.
        using var harness = new KernelTestHarness();
        var sparsity = new SparsityParameters([0, 1], [], [Dense(3), Csr([0, 1, 3, 4], [1, 0, 3, 2])]);
        float[] dense = Densify(harness, [3, 4], sparsity, [7, 5, 8, 9]);
        Assert.That(dense, Is.EqualTo(new float[] { 0, 7, 0, 0, 5, 0, 0, 8, 0, 0, 9, 0 }));
    }

    [Test]
    public void ColumnMajorTraversalOrder()
    {
        // The same matrix stored column by column: traversal order [1, 0], the row dimension compressed.
        using var harness = new KernelTestHarness();
        var sparsity = new SparsityParameters([1, 0], [], [Dense(4), Csr([0, 1, 2, 3, 4], [1, 0, 2, 1])]);
        float[] dense = Densify(harness, [3, 4], sparsity, [5, 7, 9, 8]);
        Assert.That(dense, Is.EqualTo(new float[] { 0, 7, 0, 0, 5, 0, 0, 8, 0, 0, 9, 0 }));
    }

    [Test]
    public void BlockSparseWithDenseTwoByTwoBlocks()
    {
        // TFLite's block example: 4x4 in 2x2 blocks; block rows 0 → blocks {0,1}, block row 1 → block {1}.
        using var harness = new KernelTestHarness();
        var sparsity = new SparsityParameters([0, 1, 2, 3], [0, 1],
            [Dense(2), Csr([0, 2, 3], [0, 1, 1]), Dense(2), Dense(2)]);
        float[] dense = Densify(harness, [4, 4], sparsity, [1, 0, 0, 4, 2, 3, 0, 0, 5, 0, 0, 6]);
        Assert.That(dense, Is.EqualTo(new float[] { 1, 0, 2, 3, 0, 4, 0, 0, 0, 0, 5, 0, 0, 0, 0, 6 }));
    }

    [Test]
    public void Float16ConvFilterWithCsrLastDimensionRoundTrips()
    {
        // The corpus layout: OHWI filter, dims 0..2 dense, last dimension SPARSE_CSR, identity traversal order.
        int[] shape = [3, 2, 2, 5];
        var random = new Random(41);
        var dense = new ushort[3 * 2 * 2 * 5];
        for (int i = 0; i < dense.Length; i++)
            dense[i] = random.Next(3) == 0 ? BitConverter.HalfToUInt16Bits((Half)(random.NextDouble() - 0.5)) : (ushort)0;
        var (sparsity, stored) = EncodeCsrLastDimension(shape, dense);

        using var harness = new KernelTestHarness();
        int input = harness.Constant<ushort>("sparse16", TensorType.Float16, shape, stored, sparsity: sparsity);
        int output = harness.Output("dense16", TensorType.Float16);
        harness.Run(new DensifyKernel(), harness.Context("DENSIFY", null, [input], [output]));
        Assert.That(harness[output].Read<ushort>().ToArray(), Is.EqualTo(dense));
    }

    /// <summary>Independent CSR encoder: all dims dense but the last, whose non-zero columns are listed per row.</summary>
    internal static (SparsityParameters, ushort[]) EncodeCsrLastDimension(int[] shape, ushort[] dense)
    {
        int columns = shape[^1];
        int rows = dense.Length / columns;
        var segments = new List<int> { 0 };
        var indices = new List<int>();
        var stored = new List<ushort>();
        for (int r = 0; r < rows; r++)
        {
            for (int col = 0; col < columns; col++)
                if (dense[r * columns + col] != 0)
                {
                    indices.Add(col);
                    stored.Add(dense[r * columns + col]);
                }
            segments.Add(indices.Count);
        }
        var metadata = shape[..^1].Select(Dense).Append(Csr(segments.ToArray(), indices.ToArray())).ToArray();
        return (new SparsityParameters(Enumerable.Range(0, shape.Length).ToArray(), [], metadata), stored.ToArray());
    }

    private static KernelException Rejects(int[] shape, SparsityParameters sparsity, float[] stored)
    {
        using var harness = new KernelTestHarness();
        int input = harness.Constant<float>("sparse", TensorType.Float32, shape, stored, sparsity: sparsity);
        int output = harness.Output("dense");
        return Assert.Throws<KernelException>(() => harness.Run(new DensifyKernel(), harness.Context("DENSIFY", null, [input], [output])))!;
    }

    [Test]
    public void RejectsSegmentsThatDecrease() =>
        Assert.That(Rejects([3, 4], new SparsityParameters([0, 1], [], [Dense(3), Csr([0, 2, 1, 3], [0, 1, 2])]), [1, 2, 3]).Message,
            Does.Contain("non-decreasing"));

    [Test]
    public void RejectsSegmentsNotStartingAtZero() =>
        Assert.That(Rejects([3, 4], new SparsityParameters([0, 1], [], [Dense(3), Csr([1, 1, 2, 3], [0, 1, 2])]), [1, 2]).Message,
            Does.Contain("start at 0"));

    [Test]
    public void RejectsSegmentsBeyondTheIndices() =>
        Assert.That(Rejects([3, 4], new SparsityParameters([0, 1], [], [Dense(3), Csr([0, 1, 2, 5], [0, 1, 2])]), [1, 2, 3, 4, 5]).Message,
            Does.Contain("beyond"));

    [Test]
    public void RejectsIndexOutsideTheDimension() =>
        Assert.That(Rejects([3, 4], new SparsityParameters([0, 1], [], [Dense(3), Csr([0, 1, 2, 3], [0, 4, 2])]), [1, 2, 3]).Message,
            Does.Contain("outside the level's size 4"));

    [Test]
    public void RejectsWrongSegmentCount() =>
        Assert.That(Rejects([3, 4], new SparsityParameters([0, 1], [], [Dense(3), Csr([0, 1, 2], [0, 1])]), [1, 2]).Message,
            Does.Contain("array_segments"));

    [Test]
    public void RejectsStoredValueCountDifferentFromMetadata() =>
        Assert.That(Rejects([3, 4], new SparsityParameters([0, 1], [], [Dense(3), Csr([0, 1, 2, 3], [0, 1, 2])]), [1, 2]).Message,
            Does.Contain("stores 2 values").And.Contain("describes 3"));

    [Test]
    public void RejectsDenseSizeThatDisagreesWithTheShape() =>
        Assert.That(Rejects([3, 4], new SparsityParameters([0, 1], [], [Dense(5), Csr([0, 1, 2, 3, 3, 3], [0, 1, 2])]), [1, 2, 3]).Message,
            Does.Contain("dense_size 5"));

    [Test]
    public void RejectsTraversalOrderThatIsNotAPermutation() =>
        Assert.That(Rejects([3, 4], new SparsityParameters([0, 0], [], [Dense(3), Dense(4)]), new float[12]).Message,
            Does.Contain("traversal_order"));

    [Test]
    public void RejectsBlockSizeThatDoesNotDivideTheDimension() =>
        Assert.That(Rejects([3, 4], new SparsityParameters([0, 1, 2], [0], [Dense(1), Dense(4), Dense(2)]), new float[12]).Message,
            Does.Contain("block size 2"));

    [Test]
    public void RejectsDenseInput()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Constant("dense", [2], 1, 2);
        int output = harness.Output("out");
        var error = Assert.Throws<KernelException>(() => harness.Run(new DensifyKernel(), harness.Context("DENSIFY", null, [input], [output])));
        Assert.That(error!.Message, Does.Contain("no sparsity parameters"));
    }
}
