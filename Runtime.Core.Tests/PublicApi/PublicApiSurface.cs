using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Accel.Tests.PublicApi;

/// <summary>
/// The public surface of an assembly as text, one line per type and per member, sorted ordinally:
/// <c>Namespace.Type public sealed class : Base, IInterface</c> for a type and
/// <c>Namespace.Type::public void Member(int name = 1)</c> for each of its public or protected members. Type names are
/// namespace-qualified (C# keywords for the built-in types), tuple element names and reference-type nullability are
/// included, and
/// <c>[Obsolete]</c> is marked. Compiler-generated members (a record's <c>&lt;Clone&gt;$</c>) are left out.
/// </summary>
internal static class PublicApiSurface
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static IReadOnlyList<string> Of(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetTypes().Where(IsVisible))
        {
            string name = TypeName(type, null);
            lines.Add($"{name} {TypeDeclaration(type)}");
            if (type.IsSubclassOf(typeof(Delegate))) continue;
            foreach (string member in Members(type)) lines.Add($"{name}::{member}");
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static bool IsVisible(Type type)
    {
        if (type.IsNested)
            return (type.IsNestedPublic || type.IsNestedFamily || type.IsNestedFamORAssem) && IsVisible(type.DeclaringType!);
        return type.IsPublic;
    }

    private static string TypeDeclaration(Type type)
    {
        var sb = new StringBuilder();
        if (type.IsDefined(typeof(ObsoleteAttribute), false)) sb.Append("[Obsolete] ");
        sb.Append(type.IsNestedFamily ? "protected " : type.IsNestedFamORAssem ? "protected internal " : "public ");
        bool isRecord = type.GetMethod("PrintMembers", Declared, [typeof(StringBuilder)]) is { } print
            && print.IsDefined(typeof(CompilerGeneratedAttribute), false);
        if (type.IsSubclassOf(typeof(Delegate)))
        {
            var invoke = type.GetMethod("Invoke")!;
            sb.Append($"delegate {ReturnTypeName(invoke)}({Parameters(invoke)}){Constraints(type.GetGenericArguments())}");
            return sb.ToString();
        }
        if (type.IsEnum)
        {
            sb.Append("enum");
            var underlying = Enum.GetUnderlyingType(type);
            if (underlying != typeof(int)) sb.Append(" : ").Append(TypeName(underlying, null));
            return sb.ToString();
        }
        if (type.IsInterface) sb.Append("interface");
        else if (type.IsValueType)
        {
            if (type.IsDefined(typeof(IsReadOnlyAttribute), false)) sb.Append("readonly ");
            if (type.IsByRefLike) sb.Append("ref ");
            sb.Append(isRecord ? "record struct" : "struct");
        }
        else
        {
            if (type.IsAbstract && type.IsSealed) sb.Append("static ");
            else if (type.IsAbstract) sb.Append("abstract ");
            else if (type.IsSealed) sb.Append("sealed ");
            sb.Append(isRecord ? "record" : "class");
        }
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType))
            bases.Add(TypeName(baseType, null));
        bases.AddRange(type.GetInterfaces().Where(IsVisibleInterface).Select(i => TypeName(i, null)).Order(StringComparer.Ordinal));
        if (bases.Count > 0) sb.Append(" : ").Append(string.Join(", ", bases));
        sb.Append(Constraints(type.GetGenericArguments()));
        return sb.ToString();
    }

    private static bool IsVisibleInterface(Type type) => type.IsPublic || (type.IsNestedPublic && IsVisibleInterface(type.DeclaringType!));

    private static IEnumerable<string> Members(Type type)
    {
        var context = new NullabilityInfoContext();
        var accessors = new HashSet<MethodInfo>();

        foreach (var property in type.GetProperties(Declared))
        {
            var getter = property.GetMethod is { } g && IsVisible(g) ? g : null;
            var setter = property.SetMethod is { } s && IsVisible(s) ? s : null;
            if (property.GetMethod is { } anyGetter) accessors.Add(anyGetter);
            if (property.SetMethod is { } anySetter) accessors.Add(anySetter);
            if (getter is null && setter is null) continue;
            var widest = getter is null ? setter! : setter is null ? getter : Access(getter).Length <= Access(setter).Length ? getter : setter;
            var nullability = context.Create(property);
            var sb = new StringBuilder();
            if (property.IsDefined(typeof(ObsoleteAttribute), false)) sb.Append("[Obsolete] ");
            sb.Append(Access(widest)).Append(' ').Append(Modifiers(widest));
            if (property.IsDefined(typeof(RequiredMemberAttribute), false)) sb.Append("required ");
            sb.Append(TypeName(property.PropertyType, nullability, TupleNames.Of(property))).Append(' ');
            var index = property.GetIndexParameters();
            sb.Append(index.Length > 0 ? $"this[{string.Join(", ", index.Select(p => Parameter(p, context)))}]" : property.Name);
            sb.Append(" {");
            // An accessor narrower than the property (public get; protected set;) names its access.
            if (getter is not null)
                sb.Append(Access(getter) == Access(widest) ? " get;" : $" {Access(getter)} get;");
            if (setter is not null)
            {
                bool init = setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
                sb.Append(Access(setter) == Access(widest) ? "" : $" {Access(setter)}").Append(init ? " init;" : " set;");
            }
            sb.Append(" }");
            yield return sb.ToString();
        }

        foreach (var @event in type.GetEvents(Declared))
        {
            foreach (var accessor in new[] { @event.AddMethod, @event.RemoveMethod, @event.RaiseMethod })
                if (accessor is not null) accessors.Add(accessor);
            var add = @event.AddMethod;
            if (add is null || !IsVisible(add)) continue;
            string obsolete = @event.IsDefined(typeof(ObsoleteAttribute), false) ? "[Obsolete] " : "";
            yield return $"{obsolete}{Access(add)} {Modifiers(add)}event {TypeName(@event.EventHandlerType!, context.Create(@event))} {@event.Name}";
        }

        foreach (var field in type.GetFields(Declared))
        {
            if (field.IsSpecialName || !(field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly)) continue;
            if (field.IsDefined(typeof(CompilerGeneratedAttribute), false)) continue;
            string obsolete = field.IsDefined(typeof(ObsoleteAttribute), false) ? "[Obsolete] " : "";
            if (type.IsEnum)
            {
                yield return $"{obsolete}{field.Name} = {Convert.ToString(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}";
                continue;
            }
            string access = field.IsPublic ? "public" : field.IsFamily ? "protected" : "protected internal";
            string modifiers = field.IsLiteral ? "const " : (field.IsStatic ? "static " : "") + (field.IsInitOnly ? "readonly " : "");
            string value = field.IsLiteral ? $" = {Literal(field.GetRawConstantValue(), field.FieldType)}" : "";
            yield return $"{obsolete}{access} {modifiers}{TypeName(field.FieldType, context.Create(field), TupleNames.Of(field))} {field.Name}{value}";
        }

        foreach (var constructor in type.GetConstructors(Declared))
        {
            if (constructor.IsStatic || !IsVisible(constructor)) continue;
            string obsolete = constructor.IsDefined(typeof(ObsoleteAttribute), false) ? "[Obsolete] " : "";
            yield return $"{obsolete}{Access(constructor)} {SimpleName(type)}({Parameters(constructor, context)})";
        }

        foreach (var method in type.GetMethods(Declared))
        {
            if (accessors.Contains(method) || !IsVisible(method) || method.Name.StartsWith('<')) continue;
            var sb = new StringBuilder();
            if (method.IsDefined(typeof(ObsoleteAttribute), false)) sb.Append("[Obsolete] ");
            sb.Append(Access(method)).Append(' ').Append(Modifiers(method));
            sb.Append(ReturnTypeName(method, context)).Append(' ').Append(method.Name);
            if (method.IsGenericMethodDefinition)
                sb.Append('<').Append(string.Join(", ", method.GetGenericArguments().Select(a => a.Name))).Append('>');
            sb.Append('(');
            if (method.IsDefined(typeof(ExtensionAttribute), false)) sb.Append("this ");
            sb.Append(Parameters(method, context)).Append(')');
            if (method.IsGenericMethodDefinition) sb.Append(Constraints(method.GetGenericArguments()));
            yield return sb.ToString();
        }
    }

    private static bool IsVisible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static string Access(MethodBase method) =>
        method.IsPublic ? "public" : method.IsFamily ? "protected" : method.IsFamilyOrAssembly ? "protected internal" : "private";

    private static string Modifiers(MethodInfo method)
    {
        if (method.DeclaringType!.IsInterface)
            return method.IsStatic ? (method.IsAbstract ? "static abstract " : "static ") : "";
        if (method.IsStatic) return "static ";
        if (method.IsAbstract) return "abstract ";
        if (!method.IsVirtual) return "";
        if (method.GetBaseDefinition() != method) return method.IsFinal ? "sealed override " : "override ";
        return method.IsFinal ? "" : "virtual "; // virtual + final + new slot: an implicit interface implementation
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext? context = null)
    {
        context ??= new NullabilityInfoContext();
        return string.Join(", ", method.GetParameters().Select(p => Parameter(p, context)));
    }

    private static string Parameter(ParameterInfo parameter, NullabilityInfoContext context)
    {
        var sb = new StringBuilder();
        var type = parameter.ParameterType;
        if (type.IsByRef)
        {
            sb.Append(parameter.IsOut ? "out " : parameter.IsIn ? "in " : "ref ");
        }
        if (parameter.IsDefined(typeof(ParamArrayAttribute), false)) sb.Append("params ");
        sb.Append(TypeName(type.IsByRef ? type.GetElementType()! : type, context.Create(parameter), TupleNames.Of(parameter)));
        sb.Append(' ').Append(parameter.Name);
        if (parameter.HasDefaultValue) sb.Append(" = ").Append(Literal(parameter.RawDefaultValue, type));
        return sb.ToString();
    }

    private static string ReturnTypeName(MethodInfo method, NullabilityInfoContext? context = null)
    {
        var type = method.ReturnType;
        var names = TupleNames.Of(method.ReturnParameter);
        if (!type.IsByRef) return TypeName(type, (context ?? new NullabilityInfoContext()).Create(method.ReturnParameter), names);
        string prefix = method.ReturnParameter.IsDefined(typeof(IsReadOnlyAttribute), false) ? "ref readonly " : "ref ";
        return prefix + TypeName(type.GetElementType()!, null, names);
    }

    private static string Constraints(Type[] parameters)
    {
        var sb = new StringBuilder();
        foreach (var parameter in parameters.Where(p => p.IsGenericParameter))
        {
            var constraints = new List<string>();
            var attributes = parameter.GenericParameterAttributes;
            bool unmanaged = parameter.IsDefined(typeof(IsUnmanagedAttribute), false);
            if (unmanaged) constraints.Add("unmanaged");
            else if (attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint)) constraints.Add("struct");
            else if (attributes.HasFlag(GenericParameterAttributes.ReferenceTypeConstraint)) constraints.Add("class");
            constraints.AddRange(parameter.GetGenericParameterConstraints().Where(c => c != typeof(ValueType))
                .Select(c => TypeName(c, null)).Order(StringComparer.Ordinal));
            if (attributes.HasFlag(GenericParameterAttributes.DefaultConstructorConstraint)
                && !attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint))
                constraints.Add("new()");
            if (constraints.Count > 0) sb.Append($" where {parameter.Name} : {string.Join(", ", constraints)}");
        }
        return sb.ToString();
    }

    private static string Literal(object? value, Type type)
    {
        if (type.IsByRef) type = type.GetElementType()!;
        return value switch
        {
            null when type.IsValueType && Nullable.GetUnderlyingType(type) is null => "default",
            null => "null",
            string s => $"\"{s}\"",
            bool b => b ? "true" : "false",
            char c => $"'{c}'",
            IFormattable f when type.IsEnum => Enum.IsDefined(type, value)
                ? $"{TypeName(type, null)}.{Enum.GetName(type, value)}"
                : $"({TypeName(type, null)}){f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)}",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    private static string SimpleName(Type type)
    {
        string name = type.Name;
        int tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte",
        [typeof(char)] = "char", [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int",
        [typeof(uint)] = "uint", [typeof(long)] = "long", [typeof(ulong)] = "ulong", [typeof(float)] = "float",
        [typeof(double)] = "double", [typeof(decimal)] = "decimal", [typeof(string)] = "string",
        [typeof(object)] = "object", [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    /// <summary>A member's tuple element names (TupleElementNamesAttribute), consumed in the compiler's pre-order.</summary>
    private sealed class TupleNames(IList<string?>? names)
    {
        private int _next;

        public static TupleNames Of(ICustomAttributeProvider provider) =>
            new(provider.GetCustomAttributes(typeof(TupleElementNamesAttribute), false) is [TupleElementNamesAttribute a, ..] ? a.TransformNames : null);

        public string?[] Take(int count)
        {
            var taken = new string?[count];
            for (int i = 0; i < count; i++) taken[i] = names is not null && _next < names.Count ? names[_next++] : null;
            return taken;
        }
    }

    /// <summary>
    /// C#-style name of <paramref name="type"/>; <paramref name="nullability"/> adds <c>?</c> to nullable references,
    /// <paramref name="tuples"/> names tuple elements.
    /// </summary>
    private static string TypeName(Type type, NullabilityInfo? nullability, TupleNames? tuples = null)
    {
        if (type.IsPointer) return TypeName(type.GetElementType()!, null) + "*";
        if (type.IsArray)
        {
            string rank = type.GetArrayRank() == 1 ? "[]" : $"[{new string(',', type.GetArrayRank() - 1)}]";
            return TypeName(type.GetElementType()!, nullability?.ElementType, tuples) + rank + Question(type, nullability);
        }
        if (type.IsGenericParameter) return type.Name + Question(type, nullability);
        if (Nullable.GetUnderlyingType(type) is { } underlying) return TypeName(underlying, null) + "?";
        if (Keywords.TryGetValue(type, out var keyword)) return keyword + Question(type, nullability);

        var arguments = type.GetGenericArguments();
        if (type.IsGenericType && type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true)
        {
            var names = tuples?.Take(Math.Min(arguments.Length, 7)) ?? new string?[arguments.Length];
            var parts = arguments.Select((a, i) => TypeName(a, nullability?.GenericTypeArguments.ElementAtOrDefault(i), tuples)
                + (i < names.Length && names[i] is { } n ? " " + n : "")).ToArray();
            return $"({string.Join(", ", parts)})";
        }
        string name = type.IsNested ? $"{TypeName(type.DeclaringType!, null)}.{SimpleName(type)}" : $"{type.Namespace}.{SimpleName(type)}";
        if (type.IsNested && type.DeclaringType!.IsGenericType)
        {
            // A nested type of a generic type repeats its parent's arguments: show only its own.
            int inherited = type.DeclaringType.GetGenericArguments().Length;
            name = $"{TypeName(type.DeclaringType, null)}.{SimpleName(type)}";
            arguments = arguments.Skip(inherited).ToArray();
        }
        if (arguments.Length > 0)
        {
            int offset = type.GetGenericArguments().Length - arguments.Length;
            var parts = arguments.Select((a, i) => TypeName(a, nullability?.GenericTypeArguments.ElementAtOrDefault(offset + i), tuples)).ToArray();
            name += $"<{string.Join(", ", parts)}>";
        }
        return name + Question(type, nullability);
    }

    private static string Question(Type type, NullabilityInfo? nullability)
    {
        if (nullability is null || type.IsValueType) return "";
        var state = nullability.ReadState != NullabilityState.Unknown ? nullability.ReadState : nullability.WriteState;
        return state == NullabilityState.Nullable ? "?" : "";
    }
}
