using Accel.Operators;

namespace Accel.Kernels;

/// <summary>
/// Maps operator codes (builtin code or custom name, plus version) to kernel factories, like TFLite's
/// MutableOpResolver. Custom operators, MediaPipe's included, are registered through <see cref="AddCustom"/>.
/// </summary>
public sealed class OpResolver
{
    /// <summary>A kernel factory for a version range; with <c>DefinedBy</c>, the range is that operator's definition's, read at the first resolve.</summary>
    private readonly record struct Registration(int MinVersion, int MaxVersion, Func<IKernel> Factory, bool VersionsFromDefinition = false, OpId Op = default);

    private readonly Dictionary<BuiltinOperator, Registration> _builtins = new();
    private readonly Dictionary<string, Registration> _customs = new(StringComparer.Ordinal);

    /// <summary>An empty resolver.</summary>
    public OpResolver() { }

    /// <summary>All of Accel's reference kernels, plus the custom operators it ships (see <see cref="ReferenceKernels"/>).</summary>
    public static OpResolver CreateReference()
    {
        var resolver = new OpResolver();
        ReferenceKernels.Register(resolver);
        return resolver;
    }

    public OpResolver AddBuiltin(BuiltinOperator op, Func<IKernel> factory, int minVersion = 1, int maxVersion = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _builtins[op] = new Registration(minVersion, maxVersion, factory);
        return this;
    }

    public OpResolver AddCustom(string customCode, Func<IKernel> factory, int minVersion = 1, int maxVersion = int.MaxValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(customCode);
        ArgumentNullException.ThrowIfNull(factory);
        _customs[customCode] = new Registration(minVersion, maxVersion, factory);
        return this;
    }

    /// <summary>
    /// Registers <paramref name="op"/> for the versions its <see cref="OpDefinition"/> declares, without building the
    /// definition now (it is built when a model asks for the operator).
    /// </summary>
    internal OpResolver AddDefined(OpId op, Func<IKernel> factory)
    {
        var registration = new Registration(0, 0, factory, VersionsFromDefinition: true, Op: op);
        if (op.IsCustom) _customs[op.Custom!] = registration;
        else _builtins[op.Builtin] = registration;
        return this;
    }

    public IEnumerable<BuiltinOperator> Builtins => _builtins.Keys;
    public IEnumerable<string> Customs => _customs.Keys;

    /// <summary>Finds the factory for an operator code, or says why there is none.</summary>
    public bool TryResolve(OperatorCode code, out Func<IKernel>? factory, out string reason)
    {
        Registration registration;
        bool found = code.Builtin == BuiltinOperator.Custom
            ? _customs.TryGetValue(code.CustomCode ?? "", out registration)
            : _builtins.TryGetValue(code.Builtin, out registration);
        if (!found)
        {
            factory = null;
            reason = code.Builtin == BuiltinOperator.Custom ? "no kernel registered for this custom operator" : "no kernel registered for this operator";
            return false;
        }
        if (registration.VersionsFromDefinition)
        {
            var definition = OpDefinitions.Get(registration.Op);
            registration = registration with { MinVersion = definition.MinVersion, MaxVersion = definition.MaxVersion };
        }
        if (code.Version < registration.MinVersion || code.Version > registration.MaxVersion)
        {
            factory = null;
            reason = $"version {code.Version} not supported (kernel handles v{registration.MinVersion}..v{registration.MaxVersion})";
            return false;
        }
        factory = registration.Factory;
        reason = "";
        return true;
    }
}
