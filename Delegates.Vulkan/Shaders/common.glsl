// Shared by every Accel compute shader (#include "common.glsl" right after #version).
// Numerics rules (docs/numerics.md): every arithmetic result that must keep its exact IEEE rounding is stored in a
// `precise` variable (SPIR-V NoContraction: no fusing into fma, no reassociation); fma() only where the spec writes
// fma; clamps and comparisons as written below (never GLSL min/max/clamp, undefined for NaN); no division and no
// GLSL transcendental where the spec defines its own sequence (spec_math.glsl).
#extension GL_GOOGLE_include_directive : require

#define ACCEL_LOCAL_SIZE 64
layout(local_size_x = ACCEL_LOCAL_SIZE) in;

// Grid-stride loop over [0, total): the host dispatches at most 65,535 workgroups (VulkanPartitionBuilder.DispatchElements).
#define ACCEL_FOR_EACH(i, total) \
    for (uint i = gl_GlobalInvocationID.x; i < (total); i += gl_NumWorkGroups.x * ACCEL_LOCAL_SIZE)

// The NaN-propagating clamp of docs/numerics.md §Activations: x < lo ? lo : (x > hi ? hi : x). NaN and -0 pass through.
float accelClamp(float x, float lo, float hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

// NaN test on the bits: compilers may fold isnan() away unless SignedZeroInfNanPreserve is in force.
bool accelIsNan(float x)
{
    return (floatBitsToUint(x) & 0x7FFFFFFFu) > 0x7F800000u;
}

// Row-major coordinates of a flat index in a rank-4 shape (dims.w fastest).
ivec4 accelCoordinates(uint index, ivec4 dims)
{
    ivec4 c;
    c.w = int(index % uint(dims.w)); index /= uint(dims.w);
    c.z = int(index % uint(dims.z)); index /= uint(dims.z);
    c.y = int(index % uint(dims.y)); index /= uint(dims.y);
    c.x = int(index);
    return c;
}

// fma(a, b, c) with a single rounding, as docs/numerics.md requires wherever it writes fma. Every shader uses this,
// never fma() directly: the delegate checks at start-up (VulkanNumericsProbe) that it is exact on the device.
float accelFma(float a, float b, float c)
{
    precise float r = fma(a, b, c);
    return r;
}
