using System.Buffers.Binary;

namespace Accel.Fuzz;

/// <summary>How the bytes at a mutation site are interpreted.</summary>
internal enum SiteKind
{
    Byte,
    Int32,
    Float,
    Int64,
    /// <summary>A vector's uint32 length prefix (the element size is in <see cref="MutationSite.ElementSize"/>).</summary>
    VectorLength,
    /// <summary>A uoffset to a table, vector or string.</summary>
    Offset,
}

/// <summary>A place in a model's bytes that holds one schema field (or vector element), with the field's path.</summary>
internal readonly record struct MutationSite(int Position, SiteKind Kind, string Path, int ElementSize = 0);

/// <summary>
/// Finds the mutation sites of a TFLite flatbuffer by walking it along <see cref="TfliteLayout"/>: every present
/// scalar field, every vector length, every element of int32/float/int64 vectors (the first
/// <see cref="MaxElementsPerVector"/>), and the offsets between tables. The walk is tolerant: it stops descending
/// wherever the bytes do not hold what the layout says (the mutant of a mutant is often malformed), so it never throws.
/// Absent fields (defaults) have no bytes and are not sites.
/// </summary>
internal static class MutationSites
{
    public const int MaxElementsPerVector = 64;
    private const int MaxSites = 1 << 18;
    private const int MaxDepth = 16;

    public static List<MutationSite> Find(ReadOnlySpan<byte> model)
    {
        var sites = new List<MutationSite>();
        if (model.Length < 8) return sites;
        var walker = new Walker(model, sites);
        walker.Table(ReadUInt32(model, 0), TfliteLayout.Model, "model", 0);
        return sites;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> b, long p) => BinaryPrimitives.ReadUInt32LittleEndian(b.Slice((int)p, 4));

    private readonly ref struct Walker(ReadOnlySpan<byte> model, List<MutationSite> sites)
    {
        private readonly ReadOnlySpan<byte> _b = model;

        private bool Has(long position, long size) => position >= 0 && size >= 0 && position <= _b.Length - size;

        private void Add(long position, SiteKind kind, string path, int elementSize = 0)
        {
            int size = kind switch { SiteKind.Byte => 1, SiteKind.Int64 => 8, _ => 4 };
            if (sites.Count < MaxSites && Has(position, size)) sites.Add(new MutationSite((int)position, kind, path, elementSize));
        }

        /// <summary>The absolute position of field <paramref name="slot"/> of the table at <paramref name="table"/>, or −1.</summary>
        private long FieldPosition(long table, int slot, out int fieldBytes)
        {
            fieldBytes = 0;
            if (!Has(table, 4)) return -1;
            long vtable = table - BinaryPrimitives.ReadInt32LittleEndian(_b.Slice((int)table, 4));
            if (!Has(vtable, 4)) return -1;
            int vtableBytes = BinaryPrimitives.ReadUInt16LittleEndian(_b.Slice((int)vtable, 2));
            int tableBytes = BinaryPrimitives.ReadUInt16LittleEndian(_b.Slice((int)vtable + 2, 2));
            int entry = 4 + 2 * slot;
            if (entry + 2 > vtableBytes || !Has(vtable + entry, 2)) return -1;
            int offset = BinaryPrimitives.ReadUInt16LittleEndian(_b.Slice((int)vtable + entry, 2));
            if (offset == 0 || offset >= tableBytes) return -1;
            fieldBytes = tableBytes - offset;
            return Has(table + offset, 1) ? table + offset : -1;
        }

        private long Follow(long position)
        {
            if (!Has(position, 4)) return -1;
            long target = position + ReadUInt32(_b, position);
            return target > position && Has(target, 4) ? target : -1;
        }

        public void Table(long table, string layout, string path, int depth)
        {
            if (depth > MaxDepth || !Has(table, 4)) return;
            foreach (var field in TfliteLayout.Tables[layout])
            {
                long p = FieldPosition(table, field.Slot, out _);
                if (p < 0) continue;
                string fieldPath = $"{path}.{field.Name}";
                switch (field.Kind)
                {
                    case FieldKind.Byte: Add(p, SiteKind.Byte, fieldPath); break;
                    case FieldKind.Int32 when Has(p, 4): Add(p, SiteKind.Int32, fieldPath); break;
                    case FieldKind.Float when Has(p, 4): Add(p, SiteKind.Float, fieldPath); break;
                    case FieldKind.Int64 when Has(p, 8): Add(p, SiteKind.Int64, fieldPath); break;
                    case FieldKind.String: Vector(p, 1, SiteKind.Byte, fieldPath, elementSites: false); break;
                    case FieldKind.Int32Vector: Vector(p, 4, SiteKind.Int32, fieldPath, elementSites: true); break;
                    case FieldKind.FloatVector: Vector(p, 4, SiteKind.Float, fieldPath, elementSites: true); break;
                    case FieldKind.Int64Vector: Vector(p, 8, SiteKind.Int64, fieldPath, elementSites: true); break;
                    case FieldKind.UInt16Vector: Vector(p, 2, SiteKind.Byte, fieldPath, elementSites: false); break;
                    case FieldKind.ByteVector: Vector(p, 1, SiteKind.Byte, fieldPath, elementSites: true); break;
                    case FieldKind.Table:
                        Add(p, SiteKind.Offset, fieldPath);
                        if (Follow(p) is var t and >= 0) Table(t, field.Table!, fieldPath, depth + 1);
                        break;
                    case FieldKind.UnknownTable:
                        Add(p, SiteKind.Offset, fieldPath);
                        if (Follow(p) is var u and >= 0) GuessedTable(u, fieldPath);
                        break;
                    case FieldKind.TableVector:
                        Add(p, SiteKind.Offset, fieldPath);
                        long v = Follow(p);
                        if (v < 0) break;
                        Add(v, SiteKind.VectorLength, fieldPath, 4);
                        long count = ReadUInt32(_b, v);
                        for (long i = 0; i < count && Has(v + 4 + 4 * i, 4); i++)
                        {
                            long element = v + 4 + 4 * i;
                            Add(element, SiteKind.Offset, $"{fieldPath}[{i}]");
                            if (Follow(element) is var e and >= 0) Table(e, field.Table!, $"{fieldPath}[{i}]", depth + 1);
                        }
                        break;
                }
            }
        }

        private void Vector(long fieldPosition, int elementSize, SiteKind elementKind, string path, bool elementSites)
        {
            Add(fieldPosition, SiteKind.Offset, path);
            long v = Follow(fieldPosition);
            if (v < 0) return;
            Add(v, SiteKind.VectorLength, path, elementSize);
            if (!elementSites) return;
            long count = Math.Min(ReadUInt32(_b, v), MaxElementsPerVector);
            for (long i = 0; i < count && Has(v + 4 + elementSize * i, elementSize); i++)
                Add(v + 4 + elementSize * i, elementKind, $"{path}[{i}]");
        }

        /// <summary>
        /// A union member (builtin options): every present field is a site, read as int32 where four bytes are left
        /// to the next field (flatbuffers aligns scalars to their size), else as a byte.
        /// </summary>
        private void GuessedTable(long table, string path)
        {
            for (int slot = 0; slot < 32; slot++)
            {
                long p = FieldPosition(table, slot, out int bytesToEnd);
                if (p < 0) continue;
                bool word = bytesToEnd >= 4 && p % 4 == 0 && Has(p, 4);
                Add(p, word ? SiteKind.Int32 : SiteKind.Byte, $"{path}#{slot}");
            }
        }
    }
}
