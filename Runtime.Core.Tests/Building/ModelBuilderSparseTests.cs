using System.Runtime.InteropServices;
using Accel.Building;
using F = Accel.Tests.Building.TfliteFields;

namespace Accel.Tests.Building;

public sealed class ModelBuilderSparseTests
{
    /// <summary>Test-side densifier for the "dense dims, then one CSR last dim" layout, to check encodings against.</summary>
    private static float[] DensifyCsrLastDimension(int[] shape, SparsityParameters s, float[] stored)
    {
        int columns = shape[^1];
        int rows = shape[..^1].Aggregate(1, (a, d) => a * d);
        var result = new float[rows * columns];
        var csr = s.DimensionMetadata[^1];
        for (int row = 0; row < rows; row++)
            for (int k = csr.ArraySegments[row]; k < csr.ArraySegments[row + 1]; k++)
                result[row * columns + csr.ArrayIndices[k]] = stored[k];
        return result;
    }

    [Test]
    public void EncodeCsrLastDimensionStoresNonZerosRowByRow()
    {
        float[] dense =
        [
            0, 1, 0, 2,
            0, 0, 0, 0,
            3, 0, 0, -0f,
        ];
        var (s, values) = ModelBuilder.EncodeCsrLastDimension(TensorType.Float32, [3, 4], dense);

        Assert.That(s.TraversalOrder, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(s.BlockMap, Is.Empty);
        Assert.That(s.DimensionMetadata[0].Format, Is.EqualTo(DimensionType.Dense));
        Assert.That(s.DimensionMetadata[0].DenseSize, Is.EqualTo(3));
        Assert.That(s.DimensionMetadata[1].Format, Is.EqualTo(DimensionType.SparseCsr));
        Assert.That(s.DimensionMetadata[1].ArraySegments, Is.EqualTo(new[] { 0, 2, 2, 4 }));
        Assert.That(s.DimensionMetadata[1].ArrayIndices, Is.EqualTo(new[] { 1, 3, 0, 3 }), "-0 has a set sign bit, so it is stored");
        var stored = MemoryMarshal.Cast<byte, float>(values).ToArray();
        Assert.That(stored, Is.EqualTo(new[] { 1f, 2f, 3f, -0f }));
        Assert.That(DensifyCsrLastDimension([3, 4], s, stored).Select(BitConverter.SingleToUInt32Bits),
            Is.EqualTo(dense.Select(BitConverter.SingleToUInt32Bits)));
    }

    [Test]
    public void EncodeCsrLastDimensionForFloat16DecidesZeroAfterRounding()
    {
        var (s, values) = ModelBuilder.EncodeCsrLastDimension(TensorType.Float16, [4], [1e-9f, 0.5f, 0, 1.5f]);

        Assert.That(s.DimensionMetadata, Has.Length.EqualTo(1));
        Assert.That(s.DimensionMetadata[0].ArraySegments, Is.EqualTo(new[] { 0, 2 }));
        Assert.That(s.DimensionMetadata[0].ArrayIndices, Is.EqualTo(new[] { 1, 3 }), "1e-9 rounds to half zero");
        Assert.That(MemoryMarshal.Cast<byte, ushort>(values).ToArray(), Is.EqualTo(new ushort[] { 0x3800, 0x3E00 }));
    }

    [Test]
    public void EncodeCsrLastDimensionForInt8()
    {
        var (s, values) = ModelBuilder.EncodeCsrLastDimension([2, 2], [0, -3, 7, 0]);

        Assert.That(s.DimensionMetadata[1].ArraySegments, Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(s.DimensionMetadata[1].ArrayIndices, Is.EqualTo(new[] { 1, 0 }));
        Assert.That(values, Is.EqualTo(new byte[] { 0xFD, 7 }));
    }

    [Test]
    public void SparseConstantWritesSparsityTablesAndStoredValues()
    {
        float[] dense = [0, 0, 5, 0, 6, 0, 0, 7];
        var (s, values) = ModelBuilder.EncodeCsrLastDimension(TensorType.Float32, [2, 4], dense);
        var b = new ModelBuilder();
        int sparse = b.AddSparseConstant("w_sparse", TensorType.Float32, [2, 4], s, values);
        var m = new DecodedModel(b.Build());

        var tensor = m.Tensor(sparse);
        Assert.That(tensor.Int32s(F.Tensor.Shape), Is.EqualTo(new[] { 2, 4 }), "the shape is the dense shape");
        Assert.That(m.TensorData(sparse)!.Value.Bytes().ToArray(), Is.EqualTo(values));
        Assert.That(m.TensorData(sparse)!.Value.DataPosition % 16, Is.Zero);

        var sparsity = tensor.Table(F.Tensor.Sparsity)!.Value;
        Assert.That(sparsity.Int32s(F.Sparsity.TraversalOrder), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(sparsity.Has(F.Sparsity.BlockMap), Is.False);
        var dims = sparsity.Tables(F.Sparsity.DimMetadata);
        Assert.That(dims, Has.Length.EqualTo(2));
        Assert.That(dims[0].Int8(F.DimensionMetadata.Format), Is.EqualTo((sbyte)DimensionType.Dense));
        Assert.That(dims[0].Int32(F.DimensionMetadata.DenseSize), Is.EqualTo(2));
        Assert.That(dims[0].UInt8(F.DimensionMetadata.ArraySegmentsType), Is.Zero);
        Assert.That(dims[0].Has(F.DimensionMetadata.ArraySegments), Is.False);
        Assert.That(dims[1].Int8(F.DimensionMetadata.Format), Is.EqualTo((sbyte)DimensionType.SparseCsr));
        Assert.That(dims[1].UInt8(F.DimensionMetadata.ArraySegmentsType), Is.EqualTo((byte)SparseIndexVectorType.Uint8Vector));
        Assert.That(dims[1].UInt8(F.DimensionMetadata.ArrayIndicesType), Is.EqualTo((byte)SparseIndexVectorType.Uint8Vector));
        var segments = dims[1].Table(F.DimensionMetadata.ArraySegments)!.Value.Vector(0, 1)!.Value;
        var indices = dims[1].Table(F.DimensionMetadata.ArrayIndices)!.Value.Vector(0, 1)!.Value;
        Assert.That(segments.Bytes().ToArray(), Is.EqualTo(new byte[] { 0, 1, 3 }));
        Assert.That(indices.Bytes().ToArray(), Is.EqualTo(new byte[] { 2, 0, 3 }));
        Assert.That(segments.DataPosition % 4, Is.Zero, "Uint8Vector.values has force_align: 4");
    }

    [TestCase(255, SparseIndexVectorType.Uint8Vector)]
    [TestCase(256, SparseIndexVectorType.Uint16Vector)]
    [TestCase(65535, SparseIndexVectorType.Uint16Vector)]
    [TestCase(65536, SparseIndexVectorType.Int32Vector)]
    public void IndexVectorsUseTheNarrowestTypeThatHoldsTheLargestIndex(int largestIndex, SparseIndexVectorType expected)
    {
        // One row with non-zeros at columns 0 and largestIndex: the indices vector needs room for largestIndex,
        // the segments vector only for 2.
        var sparsity = new SparsityParameters([0], [],
            [new SparseDimension(DimensionType.SparseCsr, largestIndex + 1, [0, 2], [0, largestIndex])]);
        var b = new ModelBuilder();
        b.AddSparseConstant("v", TensorType.Int8, [largestIndex + 1], sparsity, [1, 2]);
        var dim = new DecodedModel(b.Build()).Tensor(0).Table(F.Tensor.Sparsity)!.Value.Tables(F.Sparsity.DimMetadata)[0];

        Assert.That((SparseIndexVectorType)dim.UInt8(F.DimensionMetadata.ArraySegmentsType), Is.EqualTo(SparseIndexVectorType.Uint8Vector));
        Assert.That((SparseIndexVectorType)dim.UInt8(F.DimensionMetadata.ArrayIndicesType), Is.EqualTo(expected));
        var indicesTable = dim.Table(F.DimensionMetadata.ArrayIndices)!.Value;
        int[] decoded = expected switch
        {
            SparseIndexVectorType.Uint8Vector => indicesTable.UInt8s(0)!.Select(v => (int)v).ToArray(),
            SparseIndexVectorType.Uint16Vector => indicesTable.Vector(0, 2)!.Value.UInt16sAsInt32(),
            _ => indicesTable.Int32s(0)!,
        };
        Assert.That(decoded, Is.EqualTo(new[] { 0, largestIndex }));
        Assert.That(indicesTable.Vector(0, 1)!.Value.DataPosition % 4, Is.Zero);
    }

    [Test]
    public void BlockSparseParametersKeepBlockMap()
    {
        // A 4x4 matrix in 2x2 blocks: block rows dense (2), block columns CSR, then the dense 2x2 block interior.
        var sparsity = new SparsityParameters([0, 1, 2, 3], [0, 1],
        [
            new SparseDimension(DimensionType.Dense, 2, [], []),
            new SparseDimension(DimensionType.SparseCsr, 0, [0, 1, 2], [0, 1]),
            new SparseDimension(DimensionType.Dense, 2, [], []),
            new SparseDimension(DimensionType.Dense, 2, [], []),
        ]);
        var b = new ModelBuilder();
        b.AddSparseConstant("blocks", TensorType.Float32, [4, 4], sparsity, new byte[8 * 4]);
        var t = new DecodedModel(b.Build()).Tensor(0).Table(F.Tensor.Sparsity)!.Value;

        Assert.That(t.Int32s(F.Sparsity.BlockMap), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(t.Tables(F.Sparsity.DimMetadata).Select(d => d.Int32(F.DimensionMetadata.DenseSize)), Is.EqualTo(new[] { 2, 0, 2, 2 }));
    }

    [Test]
    public void StoredValueCountMustMatchTheSparsityParameters()
    {
        var (s, values) = ModelBuilder.EncodeCsrLastDimension(TensorType.Float32, [2, 2], [1, 0, 0, 1]);
        var b = new ModelBuilder();

        Assert.Throws<ArgumentException>(() => b.AddSparseConstant("short", TensorType.Float32, [2, 2], s, values.AsSpan(0, 4)));
        Assert.Throws<ArgumentException>(() => b.AddSparseConstant("wrong type", TensorType.Float16, [2, 2], s, values));
        Assert.That(b.TensorCount, Is.Zero);
    }

    [Test]
    public void InconsistentSparsityParametersAreRejected()
    {
        var b = new ModelBuilder();
        var badSegments = new SparsityParameters([0, 1], [],
            [new SparseDimension(DimensionType.Dense, 2, [], []), new SparseDimension(DimensionType.SparseCsr, 2, [0, 1], [0])]);
        var notPermutation = new SparsityParameters([0, 0], [],
            [new SparseDimension(DimensionType.Dense, 2, [], []), new SparseDimension(DimensionType.Dense, 2, [], [])]);
        var tooFewLevels = new SparsityParameters([0], [], [new SparseDimension(DimensionType.Dense, 4, [], [])]);

        Assert.Throws<ArgumentException>(() => b.AddSparseConstant("a", TensorType.Int8, [2, 2], badSegments, [1]));
        Assert.Throws<ArgumentException>(() => b.AddSparseConstant("b", TensorType.Int8, [2, 2], notPermutation, new byte[4]));
        var wrongDenseSize = new SparsityParameters([0, 1], [],
            [new SparseDimension(DimensionType.Dense, 3, [], []), new SparseDimension(DimensionType.Dense, 2, [], [])]);
        var indexOutside = new SparsityParameters([0, 1], [],
            [new SparseDimension(DimensionType.Dense, 2, [], []), new SparseDimension(DimensionType.SparseCsr, 2, [0, 1, 1], [2])]);

        Assert.Throws<ArgumentException>(() => b.AddSparseConstant("c", TensorType.Int8, [2, 2], tooFewLevels, new byte[4]));
        Assert.Throws<ArgumentException>(() => b.AddSparseConstant("d", TensorType.Int8, [2, 2], wrongDenseSize, new byte[6]));
        Assert.Throws<ArgumentException>(() => b.AddSparseConstant("e", TensorType.Int8, [2, 2], indexOutside, [1]));
        Assert.That(b.TensorCount, Is.Zero);
    }
}
