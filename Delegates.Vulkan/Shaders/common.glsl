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
// never fma() directly. Each shader is compiled twice (Delegates.Vulkan.csproj): with the device's fma(), and with
// ACCEL_FMA_FLOAT64, an exact emulation in double precision; at start-up the delegate checks on adversarial cases
// (VulkanNumericsProbe) which one is a single rounding on the device and uses that variant.
#ifdef ACCEL_FMA_FLOAT64
#extension GL_ARB_gpu_shader_int64 : require // the device enables shaderInt64 with shaderFloat64 for this variant

// a*b is exact in double (24 + 24 significant bits) and the double sum s rounds once; converting s to float rounds a
// second time, which goes wrong only when s lies exactly on a midpoint between two floats. Rounding the sum to odd
// instead (Boldo & Melquiond: round-to-odd at 53 bits, then round-to-nearest to 24 bits, equals one rounding) fixes
// that without branches: when the sum is inexact (TwoSum error e != 0), s is replaced by the odd one of the two
// doubles around the exact sum, which is never a float or a midpoint. Branch-free because CPU implementations
// (lavapipe) run both sides of every branch; this is the inner loop of every convolution.
// Non-finite sums make e NaN, so both tests below are false and s passes unchanged. |e*s| >= 2^-596 whenever e != 0
// (every float is a multiple of 2^-149), so the product cannot underflow to 0.
float accelFma(float a, float b, float c)
{
    precise double product = double(a) * double(b);
    double addend = double(c);
    precise double sum = product + addend;
    precise double virtualC = sum - product;
    precise double error = (product - (sum - virtualC)) + (addend - virtualC);
    precise double errorTimesSum = error * sum;
    bool towardZero = errorTimesSum < 0.0lf; // the exact sum is nearer zero than `sum`: its truncation is one below
    bool inexact = abs(error) > 0.0lf;
    // On the 64-bit pattern (no shuffles of 32-bit halves): truncate toward zero, then set the sticky last bit.
    int64_t bits = doubleBitsToInt64(sum);
    bits += towardZero ? -1l : 0l;
    bits |= inexact ? 1l : 0l;
    return float(int64BitsToDouble(bits));
}

#else

float accelFma(float a, float b, float c)
{
    precise float r = fma(a, b, c);
    return r;
}

#endif
