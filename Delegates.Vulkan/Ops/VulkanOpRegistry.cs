using System.Reflection;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// Every <see cref="IVulkanOp"/> in this assembly, by operator name. Ops are discovered by reflection, so adding an
/// op touches no shared file; two ops claiming the same operator is an error caught by the tests.
/// </summary>
internal sealed class VulkanOpRegistry
{
    private readonly Dictionary<string, IVulkanOp> _byOperator = new(StringComparer.Ordinal);

    public VulkanOpRegistry()
    {
        var types = typeof(VulkanOpRegistry).Assembly.GetTypes()
            .Where(t => typeof(IVulkanOp).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in types)
        {
            var op = (IVulkanOp)Activator.CreateInstance(type, nonPublic: true)!;
            foreach (string name in op.Operators)
                if (!_byOperator.TryAdd(name, op))
                    throw new InvalidOperationException($"{name} is claimed by both {_byOperator[name].GetType().Name} and {type.Name}");
        }
    }

    public IReadOnlyCollection<string> Operators => _byOperator.Keys;

    public IVulkanOp? Find(OperatorCode code) => _byOperator.GetValueOrDefault(code.Name);
}
