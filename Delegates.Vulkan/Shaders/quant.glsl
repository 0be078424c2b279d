// The integer arithmetic of docs/numerics.md §Quantized execution (Runtime.Core/Numerics/Quantization.cs) in 32-bit
// GLSL: the 64-bit product of SaturatingRoundingDoublingHighMul comes from imulExtended (core GLSL 4.50), so no
// shaderInt64 is needed and every device computes the same bits. int8/uint8 tensors are stored as the host's bytes,
// four per 32-bit word (little-endian), so no 8-bit storage feature is needed either; a shader writes whole words
// (four consecutive elements per invocation), so no two invocations share a word.

// Element i of a packed 8-bit tensor: sign-extended for int8 (isSigned), zero-extended for uint8.
int accelLoad8(uint word, uint i, bool isSigned)
{
    int offset = int((i & 3u) * 8u);
    return isSigned ? bitfieldExtract(int(word), offset, 8) : int(bitfieldExtract(word, offset, 8));
}

// gemmlowp's SaturatingRoundingDoublingHighMul: (a·b + (a·b >= 0 ? 2^30 : 1 − 2^30)) / 2^31 with C's truncating
// division, on the exact 64-bit product as two words; a = b = −2^31 saturates.
int accelSrdhm(int a, int b)
{
    if (a == b && a == int(0x80000000u)) return 0x7FFFFFFF;
    int hi, lo;
    imulExtended(a, b, hi, lo);
    bool negative = hi < 0;
    // The nudge as a 64-bit value: 2^30 = 0x00000000_40000000, 1 − 2^30 = 0xFFFFFFFF_C0000001.
    uint carry;
    uint sumLo = uaddCarry(uint(lo), negative ? 0xC0000001u : 0x40000000u, carry);
    int sumHi = hi + (negative ? -1 : 0) + int(carry);
    // Arithmetic shift right by 31 (the floor), then +1 for a negative inexact quotient (truncation toward zero).
    int floorQuotient = (sumHi << 1) | int(sumLo >> 31);
    bool inexact = (sumLo & 0x7FFFFFFFu) != 0u;
    return sumHi < 0 && inexact ? floorQuotient + 1 : floorQuotient;
}

// gemmlowp's RoundingDivideByPOT (0 <= n <= 31): halves away from zero.
int accelRoundingDivideByPot(int x, int n)
{
    int mask = int((1u << uint(n)) - 1u);
    int remainder = x & mask;
    int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> n) + (remainder > threshold ? 1 : 0);
}

// TFLite's MultiplyByQuantizedMultiplier (double-rounding form); the left shift wraps as an int32 multiplication.
int accelMbqm(int x, int multiplier, int shift)
{
    int leftShift = shift > 0 ? shift : 0;
    int rightShift = shift > 0 ? 0 : -shift;
    return accelRoundingDivideByPot(accelSrdhm(x * (1 << leftShift), multiplier), rightShift);
}

int accelClampInt(int x, int lo, int hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

// The byte of a clamped value (int8 two's complement or uint8) at position k of its word.
uint accelPack8(int value, uint k)
{
    return (uint(value) & 0xFFu) << (8u * k);
}
