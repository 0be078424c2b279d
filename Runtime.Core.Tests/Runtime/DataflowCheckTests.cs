using Accel.Building;

namespace Accel.Tests.Runtime;

/// <summary>The construction-time dataflow check: one producer per tensor, no operator reading what it writes.</summary>
[TestFixture]
public sealed class DataflowCheckTests
{
    /// <summary>
    /// Fuzzer finding (docs/fuzzing.md, run G): a mutant of the CAST op case whose CAST reads its own output, a variable
    /// tensor (so it counts as available before any write). The partitioner then saw a cycle and threw
    /// InvalidOperationException from AllocateTensors on every target; now the interpreter refuses the model.
    /// </summary>
    private const string CastReadingItsOwnVariableOutput = "GAAAAFRGTDMAAA4AGAAEABQAEAAMAAgADgAAAAMAAAAQAAAAFAAAAFQAAABYAAAAAQAAAHwBAAA9AAAAYWNjZWwgY29uZm9ybWFuY2UgY2FzZSBvcC9DQVNUL2Zsb2F0MTYvdG89Ym9vbCx2YWx1ZXM9c3BlY2lhbAAAAAEAAAAcAAAAAQAAABQBAAAAAA4AGAAUABAADAAIAAQADgAAABQAAAAcAAAAIAAAACQAAAAoAAAABAAAAG1haW4AAAAAAQAAACwAAAABAAAAAQAAAAEAAAAAAAAAAgAAAIAAAAAwAAAAAAAKABAABAAMAAgACgAAAAAAAAAIAAAABAAAAAEAAAABAAAAAQAAAAAAAADK////AAABBgAAAAAIAAAAEAAAAAYAAABvdXRwdXQAAAQAAAACAAAAAwAAAAQAAAAFAAAAAAAWABQAEAAHAAgADAAAABAAAAAAAAYAFgAAAAAAAQEAAAAACAAAABAAAAAFAAAAaW5wdXQAAAAEAAAAAgAAAAMAAAAEAAAABQAAAAwAEAAHAAAACAAMAAwAAAAAAAA1AQAAADUAAAAEAAQABAAAAA==";

    [Test]
    public void AnOperatorReadingTheTensorItWritesIsAFormatErrorNamingIt()
    {
        using var model = Model.FromBytes(Convert.FromBase64String(CastReadingItsOwnVariableOutput));
        var error = Assert.Throws<ModelFormatException>(() => new Interpreter(model))!;
        Assert.That(error.Message, Does.Contain("operators[0].outputs[0]").And.Contain("both read and written by CAST"));
    }

    [Test]
    public void ATensorWrittenByTwoOperatorsIsAFormatErrorNamingBoth()
    {
        var b = new ModelBuilder("two writers");
        int x = b.AddTensor("x", TensorType.Float32, [4]);
        int y = b.AddTensor("y", TensorType.Float32, [4]);
        b.AddOperator(BuiltinOperator.Relu, [x], [y]);
        b.AddOperator(BuiltinOperator.Relu6, [x], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var error = Assert.Throws<ModelFormatException>(() => new Interpreter(model))!;
        Assert.That(error.Message, Does.Contain("operators[1].outputs[0]").And.Contain("already by operator 0"));
    }
}
