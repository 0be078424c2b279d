namespace Accel.Kernels;

/// <summary>The registry of reference kernels: one line per operator.</summary>
public static class ReferenceKernels
{
    public static void Register(OpResolver resolver)
    {
        // Registry lines are added as kernels land (one file per op under Kernels/Reference/).
    }
}
