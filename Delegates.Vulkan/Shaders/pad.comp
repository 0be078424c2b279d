#version 450
#include "common.glsl"
// PAD (rank <= 4, constant paddings): the input element at coordinate + before, all-zero bits elsewhere
// (docs/numerics.md §PAD). Moves 32-bit words, never converts floats. Kernels/PadKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;  // padded to rank 4
    ivec4 outputDims;
    ivec4 before;     // leading padding per dimension
    uint total;       // output elements
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        ivec4 c = accelCoordinates(i, pc.outputDims) - pc.before;
        bool inside = all(greaterThanEqual(c, ivec4(0))) && all(lessThan(c, pc.inputDims));
        y[i] = inside ? x[((c.x * pc.inputDims.y + c.y) * pc.inputDims.z + c.z) * pc.inputDims.w + c.w] : 0u;
    }
}
