using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// PADV2 (Cl/pad.cl) for float32 and int32 data of rank ≤ 4: PAD's word move with the padding read from the
/// one-element constant_values tensor on the device (so a value computed at run time works too), or all-zero bits
/// when the node has none. 8-bit and 64-bit data run elsewhere.
/// </summary>
[OpCodes(BuiltinOperator.PadV2)]
internal sealed class PadV2Kernel : OpenClKernel<PadV2Params>
{
    private const int MaxRank = 4;

    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.PadV2];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    protected override NodeSupport Supports(DelegateNode node, PadV2Params p, OpenClDeviceInfo device) =>
        node.Inputs[0]!.Rank > MaxRank ? NodeSupport.Refuse($"PADV2: input rank {node.Inputs[0]!.Rank} is above 4") : NodeSupport.Supported;

    protected override void Build(DelegateNode node, PadV2Params p, OpenClPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        int lead = MaxRank - input.Rank;
        // Right-aligned in four slots; leading slots are dimensions of 1 with no padding.
        int In(int d) => d >= lead ? input.Dim(d - lead) : 1;
        int Out(int d) => d >= lead ? output.Dim(d - lead) : 1;
        int Before(int d) => d >= lead ? p.Before[d - lead] : 0;
        var args = new Args
        {
            I0 = In(0), I1 = In(1), I2 = In(2), I3 = In(3),
            O0 = Out(0), O1 = Out(1), O2 = Out(2), O3 = Out(3),
            B0 = Before(0), B1 = Before(1), B2 = Before(2), B3 = Before(3),
        };
        if (p.HasValue && node.Inputs.Count > 2 && node.Inputs[2] is { } value)
            builder.Dispatch("pad_value", [builder.Buffer(input), builder.Buffer(value), builder.Buffer(output)], args, output.ElementCount, file: "pad");
        else
            builder.Dispatch("pad", [builder.Buffer(input), builder.Buffer(output)], args, output.ElementCount);
    }

    /// <summary>pad.cl's PadArgs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int I0, I1, I2, I3;
        public int O0, O1, O2, O3;
        public int B0, B1, B2, B3;
    }
}
