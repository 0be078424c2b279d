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
