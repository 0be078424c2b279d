namespace Accel.Delegates.Cpu;

/// <summary>The CPU delegate's registry: one line per operator.</summary>
internal static class CpuOperators
{
    public static (Dictionary<BuiltinOperator, ICpuOperator> Builtins, Dictionary<string, ICpuOperator> Customs) Create()
    {
        var builtins = new Dictionary<BuiltinOperator, ICpuOperator>();
        var customs = new Dictionary<string, ICpuOperator>(StringComparer.Ordinal);
        // Registry lines are added as kernels land (one file per op under Kernels/).
        return (builtins, customs);
    }
}
