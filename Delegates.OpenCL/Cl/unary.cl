// Element-wise float32 activations (docs/numerics.md §Activations, §SpecMath): RELU/RELU6 as the NaN-propagating
// clamp, LOGISTIC and HARD_SWISH by SpecMath's sequences (common.cl). Kernels/UnaryKernels.cs.
typedef struct
{
    float lo;
    float hi;
} ClampArgs;

__kernel void clamp_activation(__global const float* x, __global float* y, ClampArgs pc)
{
    int i = get_global_id(0);
    y[i] = accelClamp(x[i], pc.lo, pc.hi);
}

__kernel void logistic(__global const float* x, __global float* y, int unused)
{
    int i = get_global_id(0);
    y[i] = specLogistic(x[i]);
}

__kernel void hard_swish(__global const float* x, __global float* y, int unused)
{
    int i = get_global_id(0);
    y[i] = specHardSwish(x[i]);
}
