using System.Collections.Frozen;
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
    private readonly FrozenDictionary<OpId, int> _slotByOp;
    private readonly Type[] _classes;
    private readonly OpDefinition?[] _built;
    private readonly OpId[] _ordered;

    private OpDefinitionTable(FrozenDictionary<OpId, int> slotByOp, Type[] classes, OpDefinition?[] built)
    {
        _slotByOp = slotByOp;
        _classes = classes;
        _built = built;
        _ordered = slotByOp.Keys
            .OrderBy(o => o.IsCustom).ThenBy(o => o.IsCustom ? 0 : (int)o.Builtin).ThenBy(o => o.Custom, StringComparer.Ordinal)
            .ToArray();
    }

    public static OpDefinitionTable Discover(Assembly assembly)
    {
        var classes = new List<Type>();
        var built = new List<OpDefinition?>();
        var map = new Dictionary<OpId, int>();
        foreach (var (type, declared) in OpClasses.Find(assembly, typeof(OpDefinition)))
        {
            OpDefinition? instance = null;
            IReadOnlyList<OpId> ops;
            if (declared is null)
            {
                // No [OpCodes]: build it to learn its operator (the pre-index way; still works).
                instance = (OpDefinition)Activator.CreateInstance(type, nonPublic: true)!;
                ops = [instance.Op];
            }
            else ops = declared;
            if (ops.Count != 1) throw new InvalidOperationException($"{type.Name} declares {ops.Count} operators; a definition defines exactly one");
            int slot = classes.Count;
            classes.Add(type);
            built.Add(instance);
            if (!map.TryAdd(ops[0], slot))
                throw new InvalidOperationException($"{ops[0].Name} is defined by both {classes[map[ops[0]]].Name} and {type.Name}");
        }
        return new OpDefinitionTable(map.ToFrozenDictionary(), classes.ToArray(), built.ToArray());
    }

    /// <summary>All definitions, builtins by code then customs by name (builds every one).</summary>
    public IReadOnlyList<OpDefinition> All => Array.ConvertAll(_ordered, op => Find(op)!);

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
        var definition = (OpDefinition)Activator.CreateInstance(type, nonPublic: true)!;
        OpClasses.CheckDeclared(type, [definition.Op], "definition");
        return Interlocked.CompareExchange(ref _built[slot], definition, null) ?? definition;
    }
}
