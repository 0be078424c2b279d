// The int8/uint8 kernels (docs/numerics.md §Quantized execution, Runtime.Core/Numerics/Quantization.cs): integer
// arithmetic only, so every device gives the reference's bits; the same operation sequence as Delegates.Vulkan's
// *_q8.comp shaders. 8-bit tensors are the host's bytes (OpenCL 1.2 stores single bytes, so one work-item per output
// element); `isSigned` selects int8 (sign-extended) or uint8. Sums that TFLite lets wrap are done in uint (signed
// overflow is undefined in C). Kernels/QuantizedKernels.cs.

inline int q8Load(__global const uchar* p, int i, int isSigned)
{
    uchar b = p[i];
    return isSigned != 0 ? (int)as_char(b) : (int)b;
}

// gemmlowp's SaturatingRoundingDoublingHighMul: (a·b + (a·b >= 0 ? 2^30 : 1 − 2^30)) / 2^31 with C's truncating
// division on the exact 64-bit product; a = b = −2^31 saturates.
inline int q8Srdhm(int a, int b)
{
    if (a == b && a == INT_MIN) return INT_MAX;
    long product = (long)a * (long)b;
    long nudge = product >= 0 ? (1L << 30) : (1L - (1L << 30));
    return (int)((product + nudge) / (1L << 31));
}

// gemmlowp's RoundingDivideByPOT (0 <= n <= 31): halves away from zero; >> on a negative int is arithmetic.
inline int q8RoundingDivideByPot(int x, int n)
{
    int mask = (int)((1u << n) - 1u);
    int remainder = x & mask;
    int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> n) + (remainder > threshold ? 1 : 0);
}

// TFLite's MultiplyByQuantizedMultiplier (double-rounding form); the left shift wraps as an int32 multiplication.
inline int q8Mbqm(int x, int multiplier, int shift)
{
    int leftShift = shift > 0 ? shift : 0;
    int rightShift = shift > 0 ? 0 : -shift;
    int shifted = as_int(as_uint(x) * (1u << leftShift));
    return q8RoundingDivideByPot(q8Srdhm(shifted, multiplier), rightShift);
}

inline int q8Clamp(int x, int lo, int hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

typedef struct
{
    int n, h, w, c;            // input
    int on, oh, ow, oc;        // output
    int kh, kw, strideH, strideW;
    int dilationH, dilationW, padTop, padLeft;
    int filterDepth;           // CONV_2D: input channels per group; DEPTHWISE_CONV_2D: depth multiplier
    int filtersPerGroup;
    int inputOffset, filterOffset, outputOffset;
    int activationMin, activationMax;
    int mode;                  // 0 CONV_2D / FULLY_CONNECTED, 1 DEPTHWISE_CONV_2D
    int isSigned;
    int hasBias;
} ConvQ8Args;

// Integer CONV_2D (mode 0; FULLY_CONNECTED as a 1x1 convolution) and DEPTHWISE_CONV_2D (mode 1) on NHWC:
// acc = Σ (w + filterOffset)·(x + inputOffset) over the in-bounds taps (an exact wrapping int32 sum: its order is
// free), + bias[c], then MultiplyByQuantizedMultiplier with the channel's (multiplier, shift), + output zero point,
// clamped to the activation range.
__kernel void conv_q8(__global const uchar* x, __global const uchar* w, __global const int* bias, __global const int2* multipliers,
    __global uchar* y, ConvQ8Args pc)
{
    int i = get_global_id(0);
    int oc = i % pc.oc;
    int q = i / pc.oc;
    int ox = q % pc.ow;
    q /= pc.ow;
    int oy = q % pc.oh;
    int b = q / pc.oh;
    int originY = oy * pc.strideH - pc.padTop;
    int originX = ox * pc.strideW - pc.padLeft;
    uint acc = 0u;
    for (int ky = 0; ky < pc.kh; ky++)
    {
        int iy = originY + ky * pc.dilationH;
        if (iy < 0 || iy >= pc.h) continue;
        for (int kx = 0; kx < pc.kw; kx++)
        {
            int ix = originX + kx * pc.dilationW;
            if (ix < 0 || ix >= pc.w) continue;
            int pixel = ((b * pc.h + iy) * pc.w + ix) * pc.c;
            if (pc.mode == 0)
            {
                int inputBase = pixel + oc / pc.filtersPerGroup * pc.filterDepth;
                int filterBase = ((oc * pc.kh + ky) * pc.kw + kx) * pc.filterDepth;
                for (int ci = 0; ci < pc.filterDepth; ci++)
                    acc += as_uint((q8Load(w, filterBase + ci, pc.isSigned) + pc.filterOffset) * (q8Load(x, inputBase + ci, pc.isSigned) + pc.inputOffset));
            }
            else
            {
                int xi = pixel + oc / pc.filterDepth;
                int wi = (ky * pc.kw + kx) * pc.oc + oc;
                acc += as_uint((q8Load(w, wi, pc.isSigned) + pc.filterOffset) * (q8Load(x, xi, pc.isSigned) + pc.inputOffset));
            }
        }
    }
    if (pc.hasBias != 0) acc += as_uint(bias[oc]);
    int2 m = multipliers[oc];
    y[i] = (uchar)(q8Clamp(q8Mbqm(as_int(acc), m.x, m.y) + pc.outputOffset, pc.activationMin, pc.activationMax) & 0xFF);
}

typedef struct
{
    int dims[6];
    int strideA[6];
    int strideB[6];
    int input1Offset, input2Offset, outputOffset, leftShift;
    int input1Multiplier, input1Shift;  // ADD/SUB only
    int input2Multiplier, input2Shift;
    int outputMultiplier, outputShift;
    int activationMin, activationMax;
    int operation;                      // 0 add, 1 sub, 2 mul
    int isSigned;
} BinaryQ8Args;

// Integer ADD, SUB and MUL with NumPy broadcasting up to rank 6: ADD/SUB shift both centred inputs left, rescale each
// by its multiplier, add (subtract), rescale to the output; MUL rescales the product of the centred inputs; then
// + output zero point and the activation clamp.
__kernel void binary_q8(__global const uchar* a, __global const uchar* b, __global uchar* y, BinaryQ8Args pc)
{
    int i = get_global_id(0);
    int rest = i, ia = 0, ib = 0;
    for (int d = 5; d >= 0; d--)
    {
        int c = rest % pc.dims[d];
        rest /= pc.dims[d];
        ia += c * pc.strideA[d];
        ib += c * pc.strideB[d];
    }
    int x = q8Load(a, ia, pc.isSigned) + pc.input1Offset;
    int z = q8Load(b, ib, pc.isSigned) + pc.input2Offset;
    int r;
    if (pc.operation == 2)
    {
        r = q8Mbqm(x * z, pc.outputMultiplier, pc.outputShift);
    }
    else
    {
        int scaledX = q8Mbqm(as_int(as_uint(x) * (1u << pc.leftShift)), pc.input1Multiplier, pc.input1Shift);
        int scaledZ = q8Mbqm(as_int(as_uint(z) * (1u << pc.leftShift)), pc.input2Multiplier, pc.input2Shift);
        int raw = pc.operation == 1 ? as_int(as_uint(scaledX) - as_uint(scaledZ)) : as_int(as_uint(scaledX) + as_uint(scaledZ));
        r = q8Mbqm(raw, pc.outputMultiplier, pc.outputShift);
    }
    y[i] = (uchar)(q8Clamp(r + pc.outputOffset, pc.activationMin, pc.activationMax) & 0xFF);
}

typedef struct
{
    int n, h, w, c;
    int on, oh, ow, oc;
    int filterH, filterW, strideH, strideW;
    int padTop, padLeft;
    int activationMin, activationMax;
    int average;   // 0 MAX_POOL_2D, 1 AVERAGE_POOL_2D
    int isSigned;
} PoolQ8Args;

// Integer MAX_POOL_2D and AVERAGE_POOL_2D on NHWC: over the in-bounds taps the maximum, or the exact sum divided by
// the tap count with halves away from zero ((s ± n/2) / n, truncating); then the activation clamp; no rescaling.
__kernel void pool_q8(__global const uchar* x, __global uchar* y, PoolQ8Args pc)
{
    int i = get_global_id(0);
    int oc = i % pc.oc;
    int q = i / pc.oc;
    int ox = q % pc.ow;
    q /= pc.ow;
    int oy = q % pc.oh;
    int b = q / pc.oh;
    int originY = oy * pc.strideH - pc.padTop;
    int originX = ox * pc.strideW - pc.padLeft;
    // The reference's Pool2DGeometry.Taps: [max(0, -origin), min(filter, size - origin)).
    int kyStart = originY < 0 ? -originY : 0;
    int kyEnd = pc.h - originY < pc.filterH ? pc.h - originY : pc.filterH;
    int kxStart = originX < 0 ? -originX : 0;
    int kxEnd = pc.w - originX < pc.filterW ? pc.w - originX : pc.filterW;
    int acc = pc.average == 0 ? INT_MIN : 0;
    int count = 0;
    for (int ky = kyStart; ky < kyEnd; ky++)
    {
        int row = (b * pc.h + originY + ky) * pc.w + originX;
        for (int kx = kxStart; kx < kxEnd; kx++)
        {
            int v = q8Load(x, (row + kx) * pc.c + oc, pc.isSigned);
            acc = pc.average == 0 ? (v > acc ? v : acc) : acc + v;
            count++;
        }
    }
    if (pc.average != 0) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    y[i] = (uchar)(q8Clamp(acc, pc.activationMin, pc.activationMax) & 0xFF);
}

// The tabulated activations on int8/uint8 (LOGISTIC, HARD_SWISH, TANH, ELU, GELU, LEAKY_RELU, the RELU family): output
// byte = table[input byte], the definition's 256-entry table.
__kernel void lookup_q8(__global const uchar* x, __global const uchar* table, __global uchar* y, int unused)
{
    int i = get_global_id(0);
    y[i] = table[x[i]];
}

// LOGISTIC, TANH on int16: output = table[(ushort)input], the reference run over every int16 value on the host.
__kernel void lookup_q16(__global const short* x, __global const short* table, __global short* y, int unused)
{
    int i = get_global_id(0);
    y[i] = table[(ushort)x[i]];
}

typedef struct
{
    int dims[6];
    int strideA[6];
    int strideB[6];
    int operation;   // binary_q16: 0 MAXIMUM, 1 MINIMUM
} BroadcastArgs;

// Output element i's element offsets in a and b under NumPy broadcasting up to rank 6 (binary_q8's walk).
void broadcastOffsets(int i, const BroadcastArgs* pc, int* ia, int* ib)
{
    int rest = i, a = 0, b = 0;
    for (int d = 5; d >= 0; d--)
    {
        int c = rest % pc->dims[d];
        rest /= pc->dims[d];
        a += c * pc->strideA[d];
        b += c * pc->strideB[d];
    }
    *ia = a;
    *ib = b;
}

// The 8-bit comparisons, SQUARED_DIFFERENCE, DIV, MAXIMUM and MINIMUM: output byte = table[a · 256 + b], the
// 65,536-entry table the host fills with the reference's element formula (BytePairTables), broadcast up to rank 6.
__kernel void pair_table_q8(__global const uchar* a, __global const uchar* b, __global const uchar* table, __global uchar* y, BroadcastArgs pc)
{
    int i = get_global_id(0);
    int ia, ib;
    broadcastOffsets(i, &pc, &ia, &ib);
    y[i] = table[(int)a[ia] << 8 | b[ib]];
}

// MAXIMUM and MINIMUM on int16 (TFLite's maximum_minimum.cc): the stored integers compared, broadcast up to rank 6.
__kernel void binary_q16(__global const short* a, __global const short* b, __global short* y, BroadcastArgs pc)
{
    int i = get_global_id(0);
    int ia, ib;
    broadcastOffsets(i, &pc, &ia, &ib);
    short x = a[ia], z = b[ib];
    y[i] = pc.operation == 0 ? (x > z ? x : z) : (x < z ? x : z);
}

typedef struct
{
    int i0, i1, i2, i3;
    int o0, o1, o2, o3;
    int b0, b1, b2, b3;
    int padByte;
} PadQ8Args;

// PAD on 8-bit data of rank <= 4: the input byte at coordinate − before, the definition's pad byte (a quantized
// tensor's zero point, else 0) elsewhere; bytes are moved, never converted.
__kernel void pad_q8(__global const uchar* x, __global uchar* y, PadQ8Args pc)
{
    int i = get_global_id(0);
    int4 o = accelCoordinates(i, (int4)(pc.o0, pc.o1, pc.o2, pc.o3));
    int4 c = o - (int4)(pc.b0, pc.b1, pc.b2, pc.b3);
    if (c.x < 0 || c.y < 0 || c.z < 0 || c.w < 0 || c.x >= pc.i0 || c.y >= pc.i1 || c.z >= pc.i2 || c.w >= pc.i3)
    {
        y[i] = (uchar)pc.padByte;
        return;
    }
    y[i] = x[((c.x * pc.i1 + c.y) * pc.i2 + c.z) * pc.i3 + c.w];
}

typedef struct
{
    int n, h, w, c;
    int on, oh, ow, oc;
    int heightStep, widthStep;   // Q10
    int isSigned;
    int halfPixelCenters;
} ResizeQ8Args;

inline int3 q8Interpolation(int o, int step, int size, int halfPixelCenters)
{
    int s = halfPixelCenters != 0 ? o * step + step / 2 - (1 << 9) : o * step;
    int lower = s / (1 << 10);
    int upper = (s + (1 << 10) - 1) / (1 << 10);
    return (int3)(s, lower > 0 ? lower : 0, upper < size - 1 ? upper : size - 1);
}

// RESIZE_BILINEAR on int8/uint8 NHWC: TFLite's reference ResizeBilinearInteger. Source s = o · step (half-pixel
// centers: o · step + step/2 − 2^9) in Q10, neighbours max(s / 2^10, 0) and min((s + 2^10 − 1) / 2^10, size − 1) with
// truncating division, the four products of values and Q10 weights summed (|sum| < 2^31), then (sum ± 2^19) / 2^20
// (halves away from zero), stored as its low byte.
__kernel void resize_bilinear_q8(__global const uchar* x, __global uchar* y, ResizeQ8Args pc)
{
    int i = get_global_id(0);
    int oc = i % pc.oc;
    int q = i / pc.oc;
    int ox = q % pc.ow;
    q /= pc.ow;
    int oy = q % pc.oh;
    int b = q / pc.oh;
    int3 ry = q8Interpolation(oy, pc.heightStep, pc.h, pc.halfPixelCenters);
    int3 rx = q8Interpolation(ox, pc.widthStep, pc.w, pc.halfPixelCenters);
    int wy1 = ry.x - (1 << 10) * ry.y, wy0 = (1 << 10) - wy1;
    int wx1 = rx.x - (1 << 10) * rx.y, wx0 = (1 << 10) - wx1;
    int row0 = (b * pc.h + ry.y) * pc.w, row1 = (b * pc.h + ry.z) * pc.w;
    int sum = q8Load(x, (row0 + rx.y) * pc.c + oc, pc.isSigned) * wy0 * wx0
            + q8Load(x, (row1 + rx.y) * pc.c + oc, pc.isSigned) * wy1 * wx0
            + q8Load(x, (row0 + rx.z) * pc.c + oc, pc.isSigned) * wy0 * wx1
            + q8Load(x, (row1 + rx.z) * pc.c + oc, pc.isSigned) * wy1 * wx1;
    int rounded = (sum + (sum > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20);
    y[i] = (uchar)(rounded & 0xFF);
}

typedef struct
{
    float outputScale;
    int outputZeroPoint, outputMin, outputMax;
    int inputZeroPoint, multiplier, shift;
    int fromFloat;
    int isSignedInput;
} QuantizeQ8Args;

// QUANTIZE to int8/uint8. From float32: q = clamp(round(x / s) + zero point) with the correctly rounded division
// (specDivide) and halves away from zero; a NaN quotient counts as 0 and quotients of magnitude >= 1e9 saturate (the
// reference's QuantizeFloat). From int8/uint8: q = clamp(MultiplyByQuantizedMultiplier(x − input zero point) + output
// zero point). The input buffer is read as floats or as bytes.
__kernel void quantize_q8(__global const float* xf, __global const uchar* xb, __global uchar* y, QuantizeQ8Args pc)
{
    int i = get_global_id(0);
    int value;
    if (pc.fromFloat != 0)
    {
        float q = specDivide(xf[i], pc.outputScale);
        float t = trunc(q);
        float fraction = q - t; // exact
        float rounded = fraction >= 0.5f ? t + 1.0f : (fraction <= -0.5f ? t - 1.0f : t);
        if (accelIsNan(rounded)) value = pc.outputZeroPoint;
        else if (rounded >= 1e9f) value = INT_MAX / 2;
        else if (rounded <= -1e9f) value = INT_MIN / 2;
        else value = (int)rounded + pc.outputZeroPoint;
    }
    else
    {
        int x = q8Load(xb, i, pc.isSignedInput);
        value = q8Mbqm(x - pc.inputZeroPoint, pc.multiplier, pc.shift) + pc.outputZeroPoint;
    }
    y[i] = (uchar)(q8Clamp(value, pc.outputMin, pc.outputMax) & 0xFF);
}

typedef struct
{
    int channels;
    int inner;
    int isSigned;
} DequantizeQ8Args;

// DEQUANTIZE int8/uint8 → float32 (docs/numerics.md §Dequantize): out = scale[c] · (float)(q − zero point[c]), one
// rounded multiply (q − zero point is exact in float32), per tensor or per channel c = (i / inner) % channels.
__kernel void dequantize_q8(__global const uchar* x, __global const float* scales, __global const int* zeroPoints, __global float* y,
    DequantizeQ8Args pc)
{
    int i = get_global_id(0);
    int c = (i / pc.inner) % pc.channels;
    float centered = (float)(q8Load(x, i, pc.isSigned) - zeroPoints[c]);
    y[i] = scales[c] * centered;
}

// Test hook (QuantizedKernelTests): the requantization primitives on (x, multiplier, shift) triples, int32 values
// carried as the bits of the float buffers.
__kernel void mbqm_probe(__global const float* x, __global const float* multiplier, __global const float* shift, __global float* mbqm,
    __global float* srdhm)
{
    int i = get_global_id(0);
    int xi = as_int(x[i]), m = as_int(multiplier[i]);
    mbqm[i] = as_float(q8Mbqm(xi, m, as_int(shift[i])));
    srdhm[i] = as_float(q8Srdhm(xi, m));
}

typedef struct
{
    int k0, k1, k2, k3;      // kept runs, output order (row-major)
    int ks0, ks1, ks2, ks3;  // input strides of the kept runs
    int r0, r1, r2, r3;      // reduced runs
    int rs0, rs1, rs2, rs3;  // input strides of the reduced runs
    int count;               // n, the elements per output; 0 gives emptyValue (the reference fills the output)
    int inputZeroPoint, outputZeroPoint, multiplier, shift, outputMin, outputMax;
    int isSigned;
    int isWide;              // 1: int16 elements (two bytes, little-endian)
    int product;             // 1: REDUCE_PROD's fold (multiplier: the 16-bit mantissa)
    int emptyValue;          // sum: 0, product: the quantized 1
} MeanQ8Args;

inline int meanLoad(__global const uchar* x, int i, MeanQ8Args pc)
{
    if (pc.isWide != 0) return (int)as_short((ushort)((ushort)x[2 * i] | (ushort)((ushort)x[2 * i + 1] << 8)));
    return q8Load(x, i, pc.isSigned);
}

// TFLite's 64-bit MultiplyByQuantizedMultiplier with its mantissa already reduced to 16 bits (m16, on the host):
// (x · m16 + 2^(s − 1)) >> s, s = 15 − shift in [1, 46], wrapping as the reference's C# long arithmetic (done in ulong;
// >> on a negative long is arithmetic), the low 32 bits.
inline int q8Mbqm64(long x, int m16, int shift)
{
    int s = 15 - shift;
    long rounded = as_long(as_ulong(x) * (ulong)m16 + ((ulong)1 << (s - 1)));
    return as_int((uint)as_ulong(rounded >> s));
}

// The integer reductions over MEAN's runs. Sum (product = 0; int8/uint8 MEAN and SUM, int16 SUM; TFLite's
// reference_ops::QuantizedMeanOrSum, Runtime.Core's QuantizedMeanParams.Requantize): the exact sum of the output's
// inputs in long, less zp_in·n, truncated to int32, MultiplyByQuantizedMultiplier (MEAN: 1/n folded into the
// multiplier), + zp_out, clamped to the dtype's range. Product (product = 1; quantized int8/int16 REDUCE_PROD, TFLite's
// QuantizedReduceProd as Runtime.Core's QuantizedProductFold): acc = x_0 − zp_in, then acc = Mbqm64(acc · (x − zp_in))
// over the rest in row-major order, one more Mbqm64, + zp_out, clamped.
__kernel void mean_q8(__global const uchar* x, __global uchar* y, MeanQ8Args pc)
{
    int i = get_global_id(0);
    int value;
    if (pc.count == 0) value = pc.emptyValue;
    else
    {
        int4 k = accelCoordinates(i, (int4)(pc.k0, pc.k1, pc.k2, pc.k3));
        int origin = k.x * pc.ks0 + k.y * pc.ks1 + k.z * pc.ks2 + k.w * pc.ks3;
        long sum = 0;
        int acc = 0;
        bool first = true;
        for (int a = 0; a < pc.r0; a++)
            for (int b = 0; b < pc.r1; b++)
                for (int c = 0; c < pc.r2; c++)
                {
                    int base = origin + a * pc.rs0 + b * pc.rs1 + c * pc.rs2;
                    for (int d = 0; d < pc.r3; d++)
                    {
                        int v = meanLoad(x, base + d * pc.rs3, pc);
                        if (pc.product == 0) sum += (long)v;
                        else if (first) acc = v - pc.inputZeroPoint;
                        else acc = q8Mbqm64((long)acc * (long)(v - pc.inputZeroPoint), pc.multiplier, pc.shift);
                        first = false;
                    }
                }
        if (pc.product == 0)
        {
            // (int)(sum − zp·n) as C#'s unchecked cast: the low 32 bits (ulong → uint is modular in OpenCL C).
            int shifted = as_int((uint)as_ulong(sum - (long)pc.inputZeroPoint * (long)pc.count));
            value = q8Mbqm(shifted, pc.multiplier, pc.shift) + pc.outputZeroPoint;
        }
        else value = q8Mbqm64((long)acc, pc.multiplier, pc.shift) + pc.outputZeroPoint;
        value = q8Clamp(value, pc.outputMin, pc.outputMax);
    }
    if (pc.isWide != 0)
    {
        y[2 * i] = (uchar)(value & 0xFF);
        y[2 * i + 1] = (uchar)((value >> 8) & 0xFF);
    }
    else y[i] = (uchar)(value & 0xFF);
}

typedef struct
{
    int m, k, n;          // rows, depth, columns
    int lhsRowStride, lhsDepthStride, rhsDepthStride, rhsColumnStride;
    int lhsOffset, rhsOffset, outputOffset, multiplier, shift;
} BatchMatMulQ8Args;

// Integer BATCH_MATMUL (int8; Runtime.Core's BatchMatMulKernel.InvokeQuantized): acc = Σ_k (L + lhsOffset)·(R + rhsOffset)
// as a wrapping int32 sum (exact modulo 2^32, so its order is free), MultiplyByQuantizedMultiplier, + output zero point,
// clamped to int8. Operand matrices per broadcast batch from the definition's tables, adj_x / adj_y as strides.
__kernel void batch_matmul_q8(__global const uchar* lhs, __global const uchar* rhs, __global const int* lhsMatrix,
    __global const int* rhsMatrix, __global uchar* y, BatchMatMulQ8Args pc)
{
    int o = get_global_id(0);
    int j = o % pc.n;
    int rest = o / pc.n;
    int i = rest % pc.m;
    int b = rest / pc.m;
    int l = lhsMatrix[b] * pc.m * pc.k + i * pc.lhsRowStride;
    int r = rhsMatrix[b] * pc.k * pc.n + j * pc.rhsColumnStride;
    uint acc = 0u;
    for (int d = 0; d < pc.k; d++)
        acc += as_uint((q8Load(lhs, l + d * pc.lhsDepthStride, 1) + pc.lhsOffset) * (q8Load(rhs, r + d * pc.rhsDepthStride, 1) + pc.rhsOffset));
    y[o] = (uchar)(q8Clamp(q8Mbqm(as_int(acc), pc.multiplier, pc.shift) + pc.outputOffset, -128, 127) & 0xFF);
}

typedef struct
{
    int n, h, w, c;          // input
    int oh, ow, oc;          // output (batch as the input's)
    int kh, kw, strideH, strideW, padTop, padLeft;
    int inputOffset, outputOffset, activationMin, activationMax;
    int hasBias;
    int filterOffset;        // −(weights' zero point): 0 for int8
    int isSigned;            // 1: int8 data and weights; 0: uint8
} TransposeConvQ8Args;

// Integer TRANSPOSE_CONV (int8 data with per-channel int8 weights, or uint8 data with per-tensor uint8 weights and a zero
// point; OHWI, int32 bias; Runtime.Core's QuantizedTransposeConv): the taps of the float gather (for ky, for kx, when
// (oy + padTop − ky) / strideH and (ox + padLeft − kx) / strideW are exact and inside the input, for ci) summed as
// (x + inputOffset)·(w + filterOffset) in wrapping int32, + bias, the output channel's MultiplyByQuantizedMultiplier,
// + output zero point, the activation clamp.
__kernel void transpose_conv_q8(__global const uchar* x, __global const uchar* w, __global const int* bias,
    __global const int2* multipliers, __global uchar* y, TransposeConvQ8Args pc)
{
    int i = get_global_id(0);
    int oc = i % pc.oc;
    int q = i / pc.oc;
    int ox = q % pc.ow;
    q /= pc.ow;
    int oy = q % pc.oh;
    int b = q / pc.oh;
    uint acc = 0u;
    for (int ky = 0; ky < pc.kh; ky++)
    {
        int rowNumerator = oy + pc.padTop - ky;
        if (rowNumerator < 0 || rowNumerator % pc.strideH != 0) continue;
        int iy = rowNumerator / pc.strideH;
        if (iy >= pc.h) continue;
        for (int kx = 0; kx < pc.kw; kx++)
        {
            int colNumerator = ox + pc.padLeft - kx;
            if (colNumerator < 0 || colNumerator % pc.strideW != 0) continue;
            int ix = colNumerator / pc.strideW;
            if (ix >= pc.w) continue;
            int inputBase = ((b * pc.h + iy) * pc.w + ix) * pc.c;
            int filterBase = ((oc * pc.kh + ky) * pc.kw + kx) * pc.c;
            for (int ci = 0; ci < pc.c; ci++)
                acc += as_uint((q8Load(x, inputBase + ci, pc.isSigned) + pc.inputOffset) * (q8Load(w, filterBase + ci, pc.isSigned) + pc.filterOffset));
        }
    }
    if (pc.hasBias != 0) acc += as_uint(bias[oc]);
    int2 m = multipliers[oc];
    y[i] = (uchar)(q8Clamp(q8Mbqm(as_int(acc), m.x, m.y) + pc.outputOffset, pc.activationMin, pc.activationMax) & 0xFF);
}

typedef struct
{
    int dims[4];         // output shape, padded on the left to rank 4 with 1
    int strideX[4];      // element strides of x per output dimension
    int strideAlpha[4];  // element strides of alpha (0 where it broadcasts)
    int inputOffset, alphaOffset, outputOffset;
    int identityMultiplier, identityShift;
    int alphaMultiplier, alphaShift;
    int isSigned;
} PreluQ8Args;

// PRELU on int8/uint8 with alpha broadcast against x up to rank 4 (TFLite's reference_ops::BroadcastPrelu4DSlow):
// x' = x − z_x; x' >= 0 ? MBQM(x', identity) : MBQM(x' · (α − z_α), alpha multiplier); + z_y, clamped to the type's
// range. The product of two offset 8-bit values fits an int.
__kernel void prelu_q8(__global const uchar* x, __global const uchar* alpha, __global uchar* y, PreluQ8Args pc)
{
    int i = get_global_id(0);
    int4 c = accelCoordinates(i, (int4)(pc.dims[0], pc.dims[1], pc.dims[2], pc.dims[3]));
    int v = q8Load(x, c.x * pc.strideX[0] + c.y * pc.strideX[1] + c.z * pc.strideX[2] + c.w * pc.strideX[3], pc.isSigned) + pc.inputOffset;
    int r;
    if (v >= 0)
    {
        r = q8Mbqm(v, pc.identityMultiplier, pc.identityShift);
    }
    else
    {
        int a = q8Load(alpha, c.x * pc.strideAlpha[0] + c.y * pc.strideAlpha[1] + c.z * pc.strideAlpha[2] + c.w * pc.strideAlpha[3],
            pc.isSigned) + pc.alphaOffset;
        r = q8Mbqm(v * a, pc.alphaMultiplier, pc.alphaShift);
    }
    r += pc.outputOffset;
    y[i] = (uchar)((pc.isSigned != 0 ? q8Clamp(r, -128, 127) : q8Clamp(r, 0, 255)) & 0xFF);
}

typedef struct
{
    int depth;               // elements per row (the last dimension)
    int inputZeroPoint;
    int isSigned;            // 1 int8, 0 uint8
} L2NormalizationQ8Args;

// gemmlowp's SaturatingRoundingMultiplyByPOT for a left shift (exponent in [1, 30]).
inline int q8SaturatingShiftLeft(int x, int exponent)
{
    int threshold = (int)((1u << (31 - exponent)) - 1u);
    return x > threshold ? INT_MAX : (x < -threshold ? INT_MIN : as_int(as_uint(x) << exponent));
}

// TFLite's GetInvSqrtQuantizedMultiplierExp with reverse_shift −1 (Runtime.Core's Quantization.InverseSqrtMultiplier):
// the mantissa (.x) and the shift (.y, ≤ 0), by five Newton–Raphson steps in Q3.28.
inline int2 q8InverseSqrtMultiplier(int input)
{
    if (input <= 1) return (int2)(INT_MAX, 0);
    int shift = 11;
    while (input >= (1 << 29))
    {
        input /= 4;
        shift++;
    }
    int maxLeftShiftBits = (int)clz(input) - 1;
    int leftShiftBitPairs = maxLeftShiftBits / 2 - 1;
    shift -= leftShiftBitPairs;
    input <<= 2 * leftShiftBitPairs;
    int halfInput = q8RoundingDivideByPot(input >> 1, 1);
    const int halfThree = (1 << 28) + (1 << 27);
    int x = 1 << 28;
    for (int i = 0; i < 5; i++)
    {
        int x3 = q8SaturatingShiftLeft(q8Srdhm(q8Srdhm(x, x), x), 6);
        int difference = as_int(as_uint(q8Srdhm(halfThree, x)) - as_uint(q8Srdhm(halfInput, x3)));
        x = q8SaturatingShiftLeft(difference, 3);
    }
    x = q8Srdhm(x, 1518500250);
    if (shift < 0)
    {
        x = as_int(as_uint(x) << -shift);
        shift = 0;
    }
    return (int2)(x, -shift);
}

// L2_NORMALIZATION on int8/uint8 (Runtime.Core's L2NormalizationKernel), one row per work-item: the int32 sum of
// (x − zp)², its inverse square root as a quantized multiplier, then int8: clamp(Mbqm(x − zp, m, shift + 7));
// uint8: clamp(128 + RoundingDivideByPOT(Srdhm(128 · (x − zp), m), −shift)).
__kernel void l2_normalization_q8(__global const uchar* x, __global uchar* y, L2NormalizationQ8Args pc)
{
    int base = get_global_id(0) * pc.depth;
    int sum = 0;
    for (int j = 0; j < pc.depth; j++)
    {
        int d = q8Load(x, base + j, pc.isSigned) - pc.inputZeroPoint;
        sum += d * d;
    }
    int2 m = q8InverseSqrtMultiplier(sum);
    for (int j = 0; j < pc.depth; j++)
    {
        int difference = q8Load(x, base + j, pc.isSigned) - pc.inputZeroPoint;
        int value = pc.isSigned != 0
            ? q8Clamp(q8Mbqm(difference, m.x, m.y + 7), -128, 127)
            : q8Clamp(128 + q8RoundingDivideByPot(q8Srdhm(128 * difference, m.x), -m.y), 0, 255);
        y[base + j] = (uchar)(value & 0xFF);
    }
}

// The reference's Invoke-time input checks, launched before the node: a quantized SQRT/RSQRT input below its zero point
// (equal 0: value < bound) and an integer DIV denominator at its real 0 (equal 1: value == bound; 8-bit: the zero point). Mode 0 (one
// work-item) resets status to 0xFFFFFFFF; mode 1 (one work-item per element) does atomic_min(status[0], i) for every
// offender; mode 2 (one work-item) stores the value of element status[0], when one offended, in status[1]. The host
// reads status after the queue's last marker and throws before any output reaches the caller
// (OpenClPartitionBuilder.CheckInput).
typedef struct
{
    int bound;
    int equal;
    int mode;
} DomainArgs;

inline void domainCheck(int value, __global volatile uint* status, DomainArgs a)
{
    if (a.mode == 0) { status[0] = 0xFFFFFFFFu; status[1] = 0u; }
    else if (a.mode == 1 && (a.equal != 0 ? value == a.bound : value < a.bound)) atomic_min(&status[0], (uint)get_global_id(0));
}

__kernel void domain_check_q8(__global const char* x, __global volatile uint* status, DomainArgs a)
{
    if (a.mode == 2) { if (status[0] != 0xFFFFFFFFu) status[1] = (uint)(int)x[status[0]]; return; }
    domainCheck(a.mode == 1 ? (int)x[get_global_id(0)] : 0, status, a);
}

__kernel void domain_check_u8(__global const uchar* x, __global volatile uint* status, DomainArgs a)
{
    if (a.mode == 2) { if (status[0] != 0xFFFFFFFFu) status[1] = (uint)x[status[0]]; return; }
    domainCheck(a.mode == 1 ? (int)x[get_global_id(0)] : 0, status, a);
}

__kernel void domain_check_q16(__global const short* x, __global volatile uint* status, DomainArgs a)
{
    if (a.mode == 2) { if (status[0] != 0xFFFFFFFFu) status[1] = (uint)(int)x[status[0]]; return; }
    domainCheck(a.mode == 1 ? (int)x[get_global_id(0)] : 0, status, a);
}

// An int32 DIV denominator (equal 1, bound 0).
__kernel void domain_check_i32(__global const int* x, __global volatile uint* status, DomainArgs a)
{
    if (a.mode == 2) { if (status[0] != 0xFFFFFFFFu) status[1] = (uint)x[status[0]]; return; }
    domainCheck(a.mode == 1 ? x[get_global_id(0)] : 0, status, a);
}

// DIV on int16 (zero points 0; Runtime.Core's Quantization.Divide, TFLite's DivElementwise), after domain_check_q16 has
// checked the denominator against 0: x = a, y = b (both negated when y < 0), the Q0.31 reciprocal of y by gemmlowp's
// three Newton-Raphson steps, x scaled by its leading sign bits, two rounding doubling high multiplies, the rounding
// shift with C#'s shift counts (mask from 64 bits, shift mod 32: the reference's arithmetic when the count leaves
// [0, 31]), then the activation clamp. Integer arithmetic only.
typedef struct
{
    BroadcastArgs broadcast;
    int multiplier;
    int shift;
    int lo;
    int hi;
} Div16Args;

inline int q16LeadingSignBits(int x)
{
    return x >= 0 ? (int)clz((uint)x) - 1 : (x != INT_MIN ? (int)clz(2u * (0u - as_uint(x)) - 1u) : 0);
}

inline int q16Divide(int x, int z, int multiplier, int shift)
{
    if (z < 0) { x = -x; z = -z; }
    if (z == 0) return 0; // unreachable: the invoke has already failed on the denominator check
    int headroomPlusOne = (int)clz((uint)z);
    int bitsOverUnit = 31 - headroomPlusOne;
    uint shiftedMinusOne = ((uint)z << headroomPlusOne) - 0x80000000u;
    int halfDenominator = (int)((shiftedMinusOne + 0x80000000u) >> 1);
    int estimate = as_int(1515870810u + as_uint(q8Srdhm(halfDenominator, -1010580540)));
    for (int k = 0; k < 3; k++)
    {
        int oneMinus = as_int((uint)(1 << 29) - as_uint(q8Srdhm(halfDenominator, estimate)));
        estimate = as_int(as_uint(estimate) + as_uint(q8SaturatingShiftLeft(q8Srdhm(estimate, oneMinus), 2)));
    }
    int reciprocal = q8SaturatingShiftLeft(estimate, 1);
    int headroom = q16LeadingSignBits(x);
    int unscaled = q8Srdhm(as_int(as_uint(x) << headroom), reciprocal);
    int exponent = bitsOverUnit + headroom - shift;
    int v = q8Srdhm(unscaled, multiplier);
    int e = exponent & 63;
    int mask = e >= 32 ? -1 : (int)((1u << e) - 1u);
    int remainder = v & mask;
    int threshold = (mask >> 1) + (v < 0 ? 1 : 0);
    return (v >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

__kernel void div_q16(__global const short* a, __global const short* b, __global short* y, Div16Args pc)
{
    int i = get_global_id(0);
    int ia, ib;
    broadcastOffsets(i, &pc.broadcast, &ia, &ib);
    int r = q16Divide(a[ia], b[ib], pc.multiplier, pc.shift);
    y[i] = (short)(r < pc.lo ? pc.lo : (r > pc.hi ? pc.hi : r));
}
