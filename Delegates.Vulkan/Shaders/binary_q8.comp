#version 450
#include "common.glsl"
#include "quant.glsl"
// Integer ADD, SUB and MUL on packed int8/uint8 with NumPy broadcasting up to rank 6 (the layout of binary.comp),
// as docs/numerics.md §Quantized execution: ADD/SUB shift both centred inputs left, rescale each by its multiplier,
// add (subtract), rescale to the output; MUL rescales the product of the centred inputs; then + output zero point and
// the activation clamp. Each invocation writes one output word (four elements). Kernels/QuantizedBinary.cs.

// 0 = add, 1 = sub, 2 = mul
layout(constant_id = 0) const int OPERATION = 0;
layout(constant_id = 1) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer InputA { uint a[]; };
layout(std430, set = 0, binding = 1) readonly buffer InputB { uint b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    int dims[6];
    int strideA[6];
    int strideB[6];
    uint total;
    int input1Offset;
    int input2Offset;
    int outputOffset;
    int leftShift;
    int input1Multiplier, input1Shift;  // ADD/SUB only
    int input2Multiplier, input2Shift;
    int outputMultiplier, outputShift;
    int activationMin;
    int activationMax;
} pc;

int element(uint i)
{
    bool isSigned = SIGNED != 0;
    uint rest = i;
    int ia = 0, ib = 0;
    for (int d = 5; d >= 0; d--)
    {
        int c = int(rest % uint(pc.dims[d]));
        rest /= uint(pc.dims[d]);
        ia += c * pc.strideA[d];
        ib += c * pc.strideB[d];
    }
    int x = accelLoad8(a[uint(ia) >> 2], uint(ia), isSigned) + pc.input1Offset;
    int z = accelLoad8(b[uint(ib) >> 2], uint(ib), isSigned) + pc.input2Offset;
    int r;
    if (OPERATION == 2)
    {
        r = accelMbqm(x * z, pc.outputMultiplier, pc.outputShift);
    }
    else
    {
        int scaledX = accelMbqm(x * (1 << pc.leftShift), pc.input1Multiplier, pc.input1Shift);
        int scaledZ = accelMbqm(z * (1 << pc.leftShift), pc.input2Multiplier, pc.input2Shift);
        int raw = OPERATION == 1 ? scaledX - scaledZ : scaledX + scaledZ;
        r = accelMbqm(raw, pc.outputMultiplier, pc.outputShift);
    }
    return accelClampInt(r + pc.outputOffset, pc.activationMin, pc.activationMax);
}

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint packed = 0u;
        for (uint k = 0u; k < 4u; k++)
        {
            uint i = word * 4u + k;
            if (i < pc.total) packed |= accelPack8(element(i), k);
        }
        y[word] = packed;
    }
}
