using Accel.Operators;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>HARD_SWISH on float32 (Shaders/hard_swish.comp): SpecMath.HardSwish per element.</summary>
internal sealed class HardSwishKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.HardSwish];

    protected override string Shader => "hard_swish";
}
