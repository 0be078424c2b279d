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

// The magnitude with float bits `bits` as a double; the bits of +inf stand for 2^128 (where rounding to +inf starts).
double accelMagnitudeAsDouble(uint bits)
{
    return bits == 0x7F800000u ? packDouble2x32(uvec2(0u, 0x47F00000u)) : double(uintBitsToFloat(bits));
}

// a*b is exact in double (24 + 24 significant bits); the double sum rounds once; converting that to float rounds a
// second time, which can differ from one rounding only when the double sum lies exactly on a midpoint between two
// floats. There the exact error of the double sum (TwoSum) says on which side the true value lies.
float accelFma(float a, float b, float c)
{
    precise double product = double(a) * double(b);
    precise double sum = product + double(c);
    float rounded = float(sum);
    if ((unpackDouble2x32(sum).y & 0x7FF00000u) == 0x7FF00000u) return rounded; // NaN or infinite operands
    uint magnitude = floatBitsToUint(rounded) & 0x7FFFFFFFu;
    double roundedMagnitude = accelMagnitudeAsDouble(magnitude);
    double sumMagnitude = abs(sum);
    if (sumMagnitude == roundedMagnitude) return rounded;
    uint neighbour = sumMagnitude > roundedMagnitude ? magnitude + 1u : magnitude - 1u;
    precise double midpoint = (roundedMagnitude + accelMagnitudeAsDouble(neighbour)) * 0.5lf;
    if (sumMagnitude != midpoint) return rounded;
    precise double virtualC = sum - product;
    precise double error = (product - (sum - virtualC)) + (double(c) - virtualC);
    if (error == 0.0lf) return rounded; // a true tie: float() already rounded it to even
    bool awayFromZero = (error > 0.0lf) == (sum > 0.0lf);
    uint chosen = awayFromZero ? max(magnitude, neighbour) : min(magnitude, neighbour);
    return uintBitsToFloat((floatBitsToUint(rounded) & 0x80000000u) | chosen);
}

#else

float accelFma(float a, float b, float c)
{
    precise float r = fma(a, b, c);
    return r;
}

#endif
