using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Tests;

public sealed unsafe class FillsTests
{
    private static void AssertFills<T>(T value, T guard) where T : unmanaged, IEquatable<T>
    {
        // Counts around every vector width (16, 32, 64 bytes) and the short stores' 2, 4, 8-byte steps; a guard element
        // on each side proves nothing is written outside [0, count).
        for (int count = 0; count <= 200; count++)
        {
            var buffer = new T[count + 2];
            Array.Fill(buffer, guard);
            fixed (T* first = buffer)
            {
                if (typeof(T) == typeof(byte)) Fills.Bytes(first + 1, count, (byte)(object)value);
                else Fills.Repeat(first + 1, count, value);
            }
            Assert.That(buffer[0], Is.EqualTo(guard), $"{typeof(T).Name} × {count}: before");
            Assert.That(buffer[^1], Is.EqualTo(guard), $"{typeof(T).Name} × {count}: after");
            for (int i = 1; i <= count; i++) Assert.That(buffer[i], Is.EqualTo(value), $"{typeof(T).Name} × {count}: element {i - 1}");
        }
    }

    [Test]
    public void EveryCountIsFilledExactlyWithTheValue()
    {
        AssertFills<byte>(0x9C, 0x11);
        AssertFills<short>(-12345, 7);
        AssertFills<ushort>(0xBEEF, 7);
        AssertFills<uint>(0xDEADBEEF, 7);
        AssertFills<ulong>(0x0123456789ABCDEF, 7);
        AssertFills(-0f, 1f);
    }
}
