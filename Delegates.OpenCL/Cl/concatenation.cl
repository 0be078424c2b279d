// CONCATENATION, one launch per input: element i of the input (block i / chunk, position i % chunk) goes to
// output[block * outputChunk + offset + position] as the same 32-bit word (docs/numerics.md §CONCATENATION). With a
// fused clamp the bound replaces the word where the reference's clamp picks it; NaN, -0 and every other value keep
// their bits. Kernels/ConcatenationKernel.cs.
typedef struct
{
    int chunk;        // this input's elements per index before the axis
    int outputChunk;  // the output's elements per index before the axis
    int offset;       // where this input's block starts within the output's
    int clamp;        // 1: apply [lo, hi]
    float lo;
    float hi;
} ConcatenationArgs;

__kernel void concatenation(__global const uint* x, __global uint* y, ConcatenationArgs pc)
{
    int i = get_global_id(0);
    int block = i / pc.chunk;
    uint word = x[i];
    if (pc.clamp != 0)
    {
        float v = as_float(word);
        word = v < pc.lo ? as_uint(pc.lo) : (v > pc.hi ? as_uint(pc.hi) : word);
    }
    y[block * pc.outputChunk + pc.offset + (i - block * pc.chunk)] = word;
}

// CONCATENATION of every other dtype, byte by byte, one launch per input: input byte i (block i / chunk, position
// i % chunk) goes to output byte block * outputChunk + offset + position. With rescale (uint8 inputs quantized unlike
// the output, TFLite's ConcatenationWithScaling) each byte x becomes clamp((int)round(x * scale + bias) + zero point,
// 0, 255): one rounded multiply, one rounded add (FP_CONTRACT OFF: no fma), halves away from zero. Beyond +-1000 the
// clamp decides whatever the zero point (as the reference's +-512 saturation does); NaN converts to 0 as .NET's (int).
typedef struct
{
    int chunk;        // this input's bytes per index before the axis
    int outputChunk;  // the output's bytes per index before the axis
    int offset;       // where this input's block starts within the output's, in bytes
    int rescale;      // 1: rescale (uint8)
    float scale;
    float bias;
    int outputZeroPoint;
} ConcatenationBytesArgs;

__kernel void concatenation_bytes(__global const uchar* x, __global uchar* y, ConcatenationBytesArgs pc)
{
    int i = get_global_id(0);
    int block = i / pc.chunk;
    uchar value = x[i];
    if (pc.rescale != 0)
    {
        float product = (float)value * pc.scale;
        float sum = product + pc.bias;
        int q;
        if (accelIsNan(sum)) q = pc.outputZeroPoint;
        else if (sum >= 1000.0f) q = 255;
        else if (sum <= -1000.0f) q = 0;
        else
        {
            int t = (int)sum;            // toward zero
            float fraction = sum - (float)t; // exact
            q = (fraction >= 0.5f ? t + 1 : (fraction <= -0.5f ? t - 1 : t)) + pc.outputZeroPoint;
        }
        value = (uchar)(q < 0 ? 0 : (q > 255 ? 255 : q));
    }
    y[block * pc.outputChunk + pc.offset + (i - block * pc.chunk)] = value;
}
