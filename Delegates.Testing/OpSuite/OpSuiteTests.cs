using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing.OpSuite;

/// <summary>
/// The cross-backend op suite: every case of <see cref="OpCatalogue"/> (one NUnit test each, in the category of its
/// operator) on one backend against the reference, through <see cref="OpSuiteRunner"/>. Each backend test project has
/// one subclass that says how to make its delegate and what it refuses by design. A backend that cannot run here
/// (no device) makes every test ignored, with the reason.
/// </summary>
[TestFixture]
public abstract class OpSuiteTests
{
    private IAccelDelegate? _shared;
    private OpSuiteBackend? _backend;

    /// <summary>A delegate of the backend under test, for one interpreter.</summary>
    protected abstract IAccelDelegate CreateDelegate();

    /// <summary>InterpreterOptions.Threads of the delegated runs.</summary>
    protected virtual int Threads => 1;

    /// <summary>
    /// One delegate instance for the whole fixture (handed to each interpreter as a <see cref="BorrowedDelegate"/>):
    /// only for delegates that keep no per-model state. Device delegates key device buffers and uploaded constants by
    /// tensor index, so they are created per interpreter, as <see cref="IAccelDelegate"/> prescribes.
    /// </summary>
    protected virtual bool ShareDelegate => false;

    /// <inheritdoc cref="OpSuiteBackend.ComparesNaNPayloads"/>
    protected virtual bool ComparesNaNPayloads => false;

    /// <inheritdoc cref="OpSuiteBackend.Refuses"/>
    protected virtual IReadOnlyDictionary<string, string> Refuses => new Dictionary<string, string>();

    /// <inheritdoc cref="OpSuiteBackend.Inspect"/>
    protected virtual string? Inspect(OpCase c, IAccelDelegate accelDelegate) => null;

    /// <summary>Every case, named and categorised by operator.</summary>
    public static IEnumerable<TestCaseData> Cases() =>
        OpCatalogue.All.Select(c => new TestCaseData(c).SetName(c.Name).SetCategory(c.Op));

    [OneTimeSetUp]
    public void StartBackend()
    {
        var probe = CreateDelegate();
        if (probe.UnavailableReason is { } reason)
        {
            probe.Dispose();
            Assert.Ignore($"{probe.Name} is unavailable here: {reason}");
        }
        if (ShareDelegate) _shared = probe;
        else probe.Dispose();
        _backend = new OpSuiteBackend(_shared is { } shared ? () => new BorrowedDelegate(shared) : CreateDelegate, Threads)
        {
            ComparesNaNPayloads = ComparesNaNPayloads,
            Refuses = Refuses,
            Inspect = Inspect,
        };
    }

    [OneTimeTearDown]
    public void StopBackend()
    {
        _shared?.Dispose();
        _shared = null;
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReferenceBitForBit(OpCase c)
    {
        var outcome = OpSuiteRunner.Run(c, _backend!);
        if (outcome.Failure is { } failure) Assert.Fail(failure);
    }
}
