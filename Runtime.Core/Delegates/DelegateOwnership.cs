using System.Runtime.CompilerServices;

namespace Accel.Delegates;

/// <summary>
/// Which live interpreter owns each delegate instance. The contract gives a delegate to one interpreter, which
/// disposes it (<see cref="IAccelDelegate"/>); one instance in two InterpreterOptions (or twice in one) would be
/// compiled into both and disposed under the second. Claiming it here turns that into a typed error at construction.
/// </summary>
/// <remarks>
/// Process-wide on purpose: the delegate instance is the only object two unrelated InterpreterOptions share, and the
/// interface has no place to mark it. A weak table holds no configuration and keeps no delegate alive.
/// </remarks>
internal static class DelegateOwnership
{
    private static readonly ConditionalWeakTable<IAccelDelegate, object> Owners = new();

    /// <summary>Claims every delegate for <paramref name="owner"/>; on a conflict releases what it took and returns the delegate already owned.</summary>
    public static IAccelDelegate? ClaimAll(IEnumerable<DelegateSelection> selections, object owner)
    {
        var claimed = new List<IAccelDelegate>();
        foreach (var selection in selections)
        {
            if (Owners.TryAdd(selection.Delegate, owner))
            {
                claimed.Add(selection.Delegate);
                continue;
            }
            foreach (var d in claimed) Owners.Remove(d);
            return selection.Delegate;
        }
        return null;
    }

    /// <summary>Releases the delegates <paramref name="owner"/> holds (none of another owner's).</summary>
    public static void ReleaseAll(IEnumerable<DelegateSelection> selections, object owner)
    {
        foreach (var selection in selections)
            if (Owners.TryGetValue(selection.Delegate, out var current) && ReferenceEquals(current, owner))
                Owners.Remove(selection.Delegate);
    }
}
