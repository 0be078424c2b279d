using System.Buffers.Binary;
using Accel.Building;

namespace Accel.Tests.Building;

public sealed class FlatBufferWriterTests
{
    private static StrictFlatBufferReader Finish(FlatBufferWriter w, FlatBufferWriter.Ref root)
        => new(w.Finish(root, "TEST"));

    [Test]
    public void RootOffsetAndIdentifierOccupyTheFirstEightBytes()
    {
        var w = new FlatBufferWriter();
        w.StartTable();
        w.AddInt32(0, 42);
        var reader = Finish(w, w.EndTable());

        Assert.That(reader.FileIdentifier, Is.EqualTo("TEST"));
        Assert.That(reader.Root.Int32(0), Is.EqualTo(42));
        Assert.That(reader.Bytes.Length % 4, Is.Zero);
    }

    [Test]
    public void AbsentFieldsReadAsDefaultsAndPresentOnesKeepTheirValues()
    {
        var w = new FlatBufferWriter();
        w.StartTable();
        w.AddInt8(0, -5);
        w.AddInt64(3, long.MinValue + 7);
        w.AddFloat32(5, 1.5f);
        w.AddBool(6, true);
        var reader = Finish(w, w.EndTable());
        var root = reader.Root;

        Assert.That(root.Int8(0), Is.EqualTo(-5));
        Assert.That(root.Has(1), Is.False);
        Assert.That(root.Has(2), Is.False);
        Assert.That(root.Has(4), Is.False);
        Assert.That(root.Has(9), Is.False, "slots past the vtable's end are absent");
        Assert.That(BinaryPrimitives.ReadInt64LittleEndian(reader.Bytes.AsSpan(root.FieldPosition(3))), Is.EqualTo(long.MinValue + 7));
        Assert.That(root.FieldPosition(3) % 8, Is.Zero, "an int64 field is 8-byte aligned");
        Assert.That(root.Float32(5), Is.EqualTo(1.5f));
        Assert.That(root.Bool(6), Is.True);
        Assert.That(root.VtableSize, Is.EqualTo(4 + 2 * 7), "the vtable ends at the last present field");
    }

    [Test]
    public void StringsAreLengthPrefixedAndNullTerminated()
    {
        var w = new FlatBufferWriter();
        var text = w.CreateString("héllo");
        var empty = w.CreateString("");
        w.StartTable();
        w.AddOffset(0, text);
        w.AddOffset(1, empty);
        var root = Finish(w, w.EndTable()).Root;

        Assert.That(root.String(0), Is.EqualTo("héllo"));
        Assert.That(root.String(1), Is.EqualTo(""));
        Assert.That(root.Vector(0, 1)!.Value.Length, Is.EqualTo(6), "the length counts UTF-8 bytes, not the terminator");
    }

    [Test]
    public void ForceAlignedByteVectorsStartOnTheRequestedBoundary()
    {
        for (int prefix = 0; prefix < 20; prefix++)
        {
            var w = new FlatBufferWriter(16);
            // Vary what was written before so the vector lands at many different offsets.
            var filler = w.CreateVector<byte>(new byte[prefix]);
            var data = w.CreateVector<byte>(new byte[] { 1, 2, 3, 4, 5 }, alignment: 16);
            w.StartTable();
            w.AddOffset(0, filler);
            w.AddOffset(1, data);
            var root = Finish(w, w.EndTable()).Root;

            var vector = root.Vector(1, 1)!.Value;
            Assert.That(vector.DataPosition % 16, Is.Zero, $"prefix {prefix}");
            Assert.That(vector.Bytes().ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5 }));
        }
    }

    [Test]
    public void ScalarVectorsAreAlignedToTheirElementSize()
    {
        var w = new FlatBufferWriter();
        var one = w.CreateVector<byte>(new byte[] { 9 });
        var longs = w.CreateVector<long>(new long[] { -1, 2, long.MaxValue });
        var ints = w.CreateVector<int>(new[] { 7, -8 });
        w.StartTable();
        w.AddOffset(0, one);
        w.AddOffset(1, longs);
        w.AddOffset(2, ints);
        var root = Finish(w, w.EndTable()).Root;

        Assert.That(root.Int64s(1), Is.EqualTo(new long[] { -1, 2, long.MaxValue }));
        Assert.That(root.Int32s(2), Is.EqualTo(new[] { 7, -8 }));
        Assert.That(root.UInt8s(0), Is.EqualTo(new byte[] { 9 }));
    }

    [Test]
    public void VectorsOfTablesKeepTheirOrder()
    {
        var w = new FlatBufferWriter();
        var items = new FlatBufferWriter.Ref[5];
        for (int i = 0; i < items.Length; i++)
        {
            w.StartTable();
            w.AddInt32(0, i * 10);
            items[i] = w.EndTable();
        }
        var vector = w.CreateOffsetVector(items);
        w.StartTable();
        w.AddOffset(0, vector);
        var root = Finish(w, w.EndTable()).Root;

        Assert.That(root.Tables(0).Select(t => t.Int32(0)), Is.EqualTo(new[] { 0, 10, 20, 30, 40 }));
    }

    [Test]
    public void TablesWithTheSameLayoutShareOneVtable()
    {
        var w = new FlatBufferWriter();
        var items = new FlatBufferWriter.Ref[3];
        for (int i = 0; i < items.Length; i++)
        {
            w.StartTable();
            w.AddInt32(0, i);
            w.AddInt8(1, 1);
            items[i] = w.EndTable();
        }
        var vector = w.CreateOffsetVector(items);
        w.StartTable();
        w.AddOffset(0, vector);
        var tables = Finish(w, w.EndTable()).Root.Tables(0);

        Assert.That(tables.Select(t => t.VtablePosition).Distinct().Count(), Is.EqualTo(1));
        Assert.That(tables.Select(t => t.Int32(0)), Is.EqualTo(new[] { 0, 1, 2 }));
    }

    [Test]
    public void StartingAChildWhileATableIsOpenIsRejected()
    {
        var w = new FlatBufferWriter();
        w.StartTable();
        Assert.Throws<InvalidOperationException>(() => w.CreateString("late"));
        Assert.Throws<InvalidOperationException>(() => w.StartTable());
    }

    [Test]
    public void WritingAFieldTwiceIsRejected()
    {
        var w = new FlatBufferWriter();
        w.StartTable();
        w.AddInt32(2, 1);
        Assert.Throws<InvalidOperationException>(() => w.AddInt32(2, 2));
    }

    [Test]
    public void GrowsPastItsInitialCapacity()
    {
        var w = new FlatBufferWriter(16);
        var big = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        var data = w.CreateVector<byte>(big, alignment: 16);
        w.StartTable();
        w.AddOffset(0, data);
        var root = Finish(w, w.EndTable()).Root;

        Assert.That(root.UInt8s(0), Is.EqualTo(big));
    }
}
