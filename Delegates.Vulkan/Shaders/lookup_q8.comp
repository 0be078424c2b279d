#version 450
#include "common.glsl"
#include "quant.glsl"
// The 8-bit element-wise ops that run through a 256-entry table (LOGISTIC, HARD_SWISH, TANH, ELU, GELU, LEAKY_RELU
// and the RELU family on int8/uint8; docs/numerics.md §Quantized execution): output byte = table[input byte], the
// table built by the definition at AllocateTensors and uploaded packed four entries per word. One output word (four
// elements) per invocation. Kernels/QuantizedKernels.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Table { uint table[64]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push { uint total; } pc;

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint source = x[word];
        uint packed = 0u;
        for (uint k = 0u; k < 4u; k++)
        {
            if (word * 4u + k >= pc.total) break;
            uint index = bitfieldExtract(source, int(8u * k), 8);
            packed |= bitfieldExtract(table[index >> 2], int(8u * (index & 3u)), 8) << (8u * k);
        }
        y[word] = packed;
    }
}
