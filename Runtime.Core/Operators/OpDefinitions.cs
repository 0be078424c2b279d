using System.Reflection;

namespace Accel.Operators;

/// <summary>
/// Every operator definition in Runtime.Core, found by reflection (adding an op touches no shared file), each built
/// the first time its operator is asked for: a model's load builds only the definitions of the operators it uses.
/// Definitions are immutable rules; the process-wide table only memoizes them (<see cref="OpDefinitionTable"/>).
/// </summary>
public static class OpDefinitions
{
    private static readonly OpDefinitionTable Table = OpDefinitionTable.Discover(typeof(OpDefinition).Assembly);

    /// <summary>All definitions, builtins by code then customs by name (builds every definition).</summary>
    public static IReadOnlyList<OpDefinition> All => Table.All;

    /// <summary>Whether Accel defines <paramref name="op"/>, without building its definition.</summary>
    public static bool IsDefined(OpId op) => Table.IsDefined(op);

    /// <summary>The definition of <paramref name="op"/>, or null when Accel defines no such operator.</summary>
    public static OpDefinition? Find(OpId op) => Table.Find(op);

    /// <summary>The definition of <paramref name="op"/>; an error for operators Accel does not define.</summary>
    public static OpDefinition Get(OpId op) =>
        Find(op) ?? throw new KeyNotFoundException($"Accel has no definition of operator {op.Name}.");
}

/// <summary>
/// The definitions of one assembly by operator, indexed by their <see cref="OpCodesAttribute"/> and each built at its
/// first <see cref="Find"/> (a race builds one twice and keeps one). <see cref="OpDefinitions"/> holds the process's
/// table; tests build their own to count what a use builds.
/// </summary>
internal sealed class OpDefinitionTable
{
    private readonly Dictionary<OpId, int> _slotByOp;  // never written after construction
    private readonly Type[] _classes;
    private readonly OpId[] _ops;
    private readonly OpDefinition?[] _built;

    private OpDefinitionTable(Dictionary<OpId, int> slotByOp, Type[] classes, OpId[] ops, OpDefinition?[] built)
    {
        _slotByOp = slotByOp;
        _classes = classes;
        _ops = ops;
        _built = built;
    }

    public static OpDefinitionTable Discover(Assembly assembly)
    {
        var classes = OpClasses.Find(assembly, typeof(OpDefinition));
        var ops = new OpId[classes.Length];
        var built = new OpDefinition?[classes.Length];
        var map = new Dictionary<OpId, int>();
        for (int slot = 0; slot < classes.Length; slot++)
        {
            var type = classes[slot];
            var declared = OpClasses.Declared(type);
            if (declared is null)
            {
                // No [OpCodes]: build it to learn its operator (the pre-index way; still works).
                built[slot] = OpClasses.Create<OpDefinition>(type);
                declared = [built[slot]!.Op];
            }
            if (declared.Length != 1) throw new InvalidOperationException($"{type.Name} declares {declared.Length} operators; a definition defines exactly one");
            ops[slot] = declared[0];
            if (!map.TryAdd(ops[slot], slot))
                throw new InvalidOperationException($"{ops[slot].Name} is defined by both {classes[map[ops[slot]]].Name} and {type.Name}");
        }
        return new OpDefinitionTable(map, classes, ops, built);
    }

    /// <summary>All definitions, builtins by code then customs by name (builds every one).</summary>
    public IReadOnlyList<OpDefinition> All =>
        _ops.OrderBy(o => o.IsCustom).ThenBy(o => o.IsCustom ? 0 : (int)o.Builtin).ThenBy(o => o.Custom, StringComparer.Ordinal)
            .Select(op => Find(op)!).ToArray();

    public bool IsDefined(OpId op) => _slotByOp.ContainsKey(op);

    /// <summary>How many definitions this table has built so far.</summary>
    public int BuiltCount
    {
        get
        {
            int count = 0;
            for (int i = 0; i < _built.Length; i++)
                if (Volatile.Read(ref _built[i]) is not null) count++;
            return count;
        }
    }

    public bool IsBuilt(OpId op) => _slotByOp.TryGetValue(op, out int slot) && Volatile.Read(ref _built[slot]) is not null;

    public OpDefinition? Find(OpId op)
    {
        if (!_slotByOp.TryGetValue(op, out int slot)) return null;
        return Volatile.Read(ref _built[slot]) ?? Build(slot);
    }

    private OpDefinition Build(int slot)
    {
        var type = _classes[slot];
        var definition = OpClasses.Create<OpDefinition>(type);
        if (definition.Op != _ops[slot])
            throw new InvalidOperationException($"definition {type.Name} declares [OpCodes] {_ops[slot].Name} but defines {definition.Op.Name}");
        return Interlocked.CompareExchange(ref _built[slot], definition, null) ?? definition;
    }
}
