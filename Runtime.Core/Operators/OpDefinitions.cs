using System.Collections.Frozen;

namespace Accel.Operators;

/// <summary>
/// Every operator definition in Runtime.Core, found by reflection (adding an op touches no shared file). Immutable;
/// built once per process.
/// </summary>
public static class OpDefinitions
{
    private static readonly FrozenDictionary<OpId, OpDefinition> ByOp = Discover();

    /// <summary>All definitions, builtins by code then customs by name.</summary>
    public static IReadOnlyList<OpDefinition> All { get; } =
        ByOp.Values.OrderBy(d => d.Op.IsCustom).ThenBy(d => d.Op.IsCustom ? 0 : (int)d.Op.Builtin).ThenBy(d => d.Op.Custom, StringComparer.Ordinal).ToArray();

    /// <summary>The definition of <paramref name="op"/>, or null when Accel defines no such operator.</summary>
    public static OpDefinition? Find(OpId op) => ByOp.GetValueOrDefault(op);

    /// <summary>The definition of <paramref name="op"/>; an error for operators Accel does not define.</summary>
    public static OpDefinition Get(OpId op) =>
        Find(op) ?? throw new KeyNotFoundException($"Accel has no definition of operator {op.Name}.");

    private static FrozenDictionary<OpId, OpDefinition> Discover()
    {
        var map = new Dictionary<OpId, OpDefinition>();
        var types = typeof(OpDefinition).Assembly.GetTypes()
            .Where(t => typeof(OpDefinition).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in types)
        {
            var definition = (OpDefinition)Activator.CreateInstance(type, nonPublic: true)!;
            if (!map.TryAdd(definition.Op, definition))
                throw new InvalidOperationException($"{definition.Op.Name} is defined by both {map[definition.Op].GetType().Name} and {type.Name}");
        }
        return map.ToFrozenDictionary();
    }
}
