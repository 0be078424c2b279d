using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Accel.Operators;

/// <summary>
/// How definitions and kernels are discovered: concrete classes of a base type, with their <see cref="OpCodesAttribute"/>.
/// Plain loops over arrays, no LINQ or sets over <see cref="OpId"/>: every generic instantiation over a value type is
/// JIT-compiled at start-up, which is what this discovery exists to avoid.
/// </summary>
internal static class OpClasses
{
    /// <summary>
    /// Every concrete, non-generic class in <paramref name="assembly"/> assignable to <paramref name="baseType"/>, in
    /// ordinal name order (so errors name the same two classes every time). Reads metadata only: nothing is constructed.
    /// </summary>
    // Trimming and NativeAOT keep these classes although no code names them: Runtime.Core and the CPU delegate embed an
    // ILLink.Descriptors.xml that preserves their whole assembly (measured: a NativeAOT app runs bit-exact, perf/RESULTS.md).
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "ILLink.Descriptors.xml preserves every class of the assemblies searched")]
    public static Type[] Find(Assembly assembly, Type baseType)
    {
        var found = new List<Type>();
        foreach (var type in assembly.GetTypes())
            if (type is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && baseType.IsAssignableFrom(type))
                found.Add(type);
        var types = found.ToArray();
        Array.Sort(types, static (a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return types;
    }

    /// <summary>Builds an instance of a class <see cref="Find"/> returned, through its parameterless constructor (public or not).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "ILLink.Descriptors.xml preserves every class of the assemblies searched, constructors included")]
    public static T Create<T>(Type type) where T : class => (T)Activator.CreateInstance(type, nonPublic: true)!;

    /// <summary>The operators the <see cref="OpCodesAttribute"/>s of <paramref name="type"/> declare; null when it has none.</summary>
    public static OpId[]? Declared(Type type)
    {
        var attributes = Attribute.GetCustomAttributes(type, typeof(OpCodesAttribute), inherit: false);
        if (attributes.Length == 0) return null;
        if (attributes.Length == 1) return ((OpCodesAttribute)attributes[0]).Declared;
        var ops = new List<OpId>();
        foreach (var attribute in attributes) ops.AddRange(((OpCodesAttribute)attribute).Declared);
        return ops.ToArray();
    }

    /// <summary>Throws when a built instance's operators differ from what its class declares (the index would route wrongly).</summary>
    public static void CheckDeclared(Type type, OpId[] declared, IReadOnlyList<OpId> actual, string what)
    {
        // The built instance's list copied once; the declared array read as an array (interface calls on it would be
        // JIT-compiled at start-up even in a ReadyToRun build).
        var implemented = new OpId[actual.Count];
        for (int i = 0; i < implemented.Length; i++) implemented[i] = actual[i];
        bool same = declared.Length == implemented.Length;
        for (int i = 0; same && i < declared.Length; i++) same = Contains(implemented, declared[i]) && Contains(declared, implemented[i]);
        if (!same)
            throw new InvalidOperationException(
                $"{what} {type.Name} declares [OpCodes] {Names(declared)} but implements {Names(implemented)}");
    }

    private static bool Contains(OpId[] ops, OpId op)
    {
        foreach (var candidate in ops)
            if (candidate == op) return true;
        return false;
    }

    private static string Names(OpId[] ops)
    {
        var names = new string[ops.Length];
        for (int i = 0; i < names.Length; i++) names[i] = ops[i].Name;
        return string.Join(", ", names);
    }
}
