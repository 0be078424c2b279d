#version 450
#include "common.glsl"
// LOGISTIC and TANH on int16 (TFLite's int16x8 forms): output = table[(ushort)input], the 65,536-entry table the host
// builds by running the reference kernel over every int16 value (Int16SigmoidParams.Tabulate), so the lookup is the
// reference's result by construction. int16 tensors are the host's bytes, two elements per 32-bit word; each
// invocation writes one output word. Kernels/QuantizedKernels.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Table { uint table[32768]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push { uint total; } pc;

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 1u) / 2u)
    {
        uint source = x[word];
        uint packed = 0u;
        for (uint k = 0u; k < 2u; k++)
        {
            if (word * 2u + k >= pc.total) break;
            uint index = bitfieldExtract(source, int(16u * k), 16);
            packed |= bitfieldExtract(table[index >> 1], int(16u * (index & 1u)), 16) << (16u * k);
        }
        y[word] = packed;
    }
}
