using System.Reflection;

namespace Accel.Operators;

/// <summary>How definitions and kernels are discovered: concrete classes of a base type, with their <see cref="OpCodesAttribute"/>.</summary>
internal static class OpClasses
{
    /// <summary>
    /// Every concrete, non-generic class in <paramref name="assembly"/> assignable to <paramref name="baseType"/>, in
    /// ordinal name order, with the operators its <see cref="OpCodesAttribute"/>s declare (null when it has none).
    /// Reads metadata only: nothing is constructed.
    /// </summary>
    public static IEnumerable<(Type Type, IReadOnlyList<OpId>? Declared)> Find(Assembly assembly, Type baseType)
    {
        var types = assembly.GetTypes()
            .Where(t => baseType.IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in types)
        {
            var attributes = type.GetCustomAttributes<OpCodesAttribute>(inherit: false).ToArray();
            yield return (type, attributes.Length == 0 ? null : attributes.SelectMany(a => a.Ops).ToArray());
        }
    }

    /// <summary>Throws when a built instance's operators differ from what its class declares (the index would route wrongly).</summary>
    public static void CheckDeclared(Type type, IReadOnlyList<OpId> actual, string what)
    {
        var attributes = type.GetCustomAttributes<OpCodesAttribute>(inherit: false);
        var declared = attributes.SelectMany(a => a.Ops).ToHashSet();
        if (declared.Count == 0) return;
        if (!declared.SetEquals(actual))
            throw new InvalidOperationException(
                $"{what} {type.Name} declares [OpCodes] {string.Join(", ", declared.Select(o => o.Name))} but implements {string.Join(", ", actual.Select(o => o.Name))}");
    }
}
