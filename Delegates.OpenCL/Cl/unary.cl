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

// EXP: SpecMath.Exp (docs/numerics.md §Exp).
__kernel void exp_kernel(__global const float* x, __global float* y, int unused)
{
    int i = get_global_id(0);
    y[i] = specExp(x[i]);
}

// LEAKY_RELU: x > 0 ? x : x * alpha, one rounded multiply (docs/numerics.md §LEAKY_RELU).
__kernel void leaky_relu(__global const float* x, __global float* y, float alpha)
{
    int i = get_global_id(0);
    float v = x[i];
    float scaled = v * alpha;
    y[i] = v > 0.0f ? v : scaled;
}
