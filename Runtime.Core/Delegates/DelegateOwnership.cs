namespace Accel.Delegates;

/// <summary>
/// Which live interpreter owns a delegate instance. An interpreter adopts the delegates of its options when it is
/// built and disposes them with itself, so one instance in two live interpreters (two options holding the same
/// instance, or one instance listed twice) would share per-interpreter device state and be disposed twice: the second
/// adoption is refused with an <see cref="InterpreterStateException"/>. The record lives in the delegate instance (no
/// process-wide table); the owner is released when it is disposed or its constructor fails.
/// </summary>
public sealed class DelegateOwnership
{
    private object? _owner;

    /// <summary>True while a live interpreter owns the delegate.</summary>
    public bool IsOwned => Volatile.Read(ref _owner) is not null;

    /// <summary>Records <paramref name="owner"/>; false when any interpreter (this one included) already owns the delegate.</summary>
    internal bool TryAdopt(object owner) => Interlocked.CompareExchange(ref _owner, owner, null) is null;

    internal bool IsOwnedBy(object owner) => ReferenceEquals(Volatile.Read(ref _owner), owner);

    /// <summary>Forgets <paramref name="owner"/> (nothing when another interpreter owns the delegate).</summary>
    internal void Release(object owner) => Interlocked.CompareExchange(ref _owner, null, owner);
}
