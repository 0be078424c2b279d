#version 450
#include "common.glsl"
// CONCATENATION, one input per dispatch: element i of the input (block i / chunk, position i % chunk) goes to
// output[block * outputChunk + offset + position] as the same 32-bit word (docs/numerics.md §CONCATENATION).
// With CLAMP the fused activation's bound replaces the word where the reference's clamp picks it; NaN, −0 and every
// unclamped value keep their bits. Kernels/ConcatenationKernel.cs.

layout(constant_id = 0) const int CLAMP = 0;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    uint chunk;        // this input's elements per index before the axis
    uint outputChunk;  // the output's elements per index before the axis
    uint offset;       // where this input's block starts within the output's
    uint total;        // this input's elements
    float lo;          // fused activation bounds
    float hi;
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        uint block = i / pc.chunk;
        uint word = x[i];
        if (CLAMP != 0)
        {
            float v = uintBitsToFloat(word);
            word = v < pc.lo ? floatBitsToUint(pc.lo) : (v > pc.hi ? floatBitsToUint(pc.hi) : word);
        }
        y[block * pc.outputChunk + pc.offset + (i - block * pc.chunk)] = word;
    }
}
