using Accel.Testing;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>What the delegate says about itself and what it refuses, with or without a DSP.</summary>
public sealed class HexagonDelegateContractTests
{
    [Test]
    public void WithoutQemuHexagonTheDelegateIsUnavailableNamingThePackageAndClaimsNothing()
    {
        using var d = new HexagonDelegate(qemu: "/nonexistent/qemu-hexagon");
        Assert.That(d.UnavailableReason, Does.Contain("/nonexistent/qemu-hexagon").And.Contain("qemu-user"));
        Assert.That(d.DeviceDescription, Is.Null);
        using var model = QuantizedNetwork.Build();
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new HexagonDelegate(qemu: "/nonexistent/qemu-hexagon")));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
    }

    [Test]
    public void WithoutTheDspProgramTheDelegateIsUnavailableNamingTheBuildPackages()
    {
        using var d = new HexagonDelegate(dspProgram: "/nonexistent/accel-hexagon-dsp.elf");
        Assert.That(d.UnavailableReason, Does.Contain("/nonexistent/accel-hexagon-dsp.elf").And.Contain("clang lld"));
    }

    [Test]
    public void TheBuildPutsTheHexagonProgramBesideTheAssembly()
    {
        string program = Path.Combine(AppContext.BaseDirectory, HexagonDelegate.DspProgramName);
        Assert.That(File.Exists(program), Is.True, program);
        var header = File.ReadAllBytes(program).AsSpan(0, 20);
        Assert.That(header[..4].ToArray(), Is.EqualTo(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }));
        Assert.That(BitConverter.ToUInt16(header[18..20]), Is.EqualTo(164), "e_machine is EM_QDSP6 (Hexagon)");
    }

    [Test]
    public void TheDeviceDescriptionNamesTheEmulatedDsp()
    {
        HexagonTestEnvironment.RequireDsp();
        using var d = new HexagonDelegate();
        Assert.That(d.UnavailableReason, Is.Null);
        Assert.That(d.DeviceDescription, Is.EqualTo("Hexagon v67 HVX128 (QEMU user-mode emulation)"));
        Assert.That(d.DspDescription, Is.Null, "the DSP process starts at the first compile");
        _ = d.Transport;
        Assert.That(d.DspDescription, Does.Contain("v67"));
        Assert.That(d.Name, Is.EqualTo("hexagon"));
    }

    [Test]
    public void FloatNodesAreRefusedNamingTheDtypeAndStartNoDspProcess()
    {
        HexagonTestEnvironment.RequireDsp();
        var mb = new Accel.Building.ModelBuilder("float add");
        int a = mb.AddTensor("a", TensorType.Float32, [4]);
        int b = mb.AddTensor("b", TensorType.Float32, [4]);
        int y = mb.AddTensor("y", TensorType.Float32, [4]);
        mb.AddOperator(BuiltinOperator.Add, [a, b], [y], new AddOptions(ActivationFunctionType.None));
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var d = new HexagonDelegate();
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(d));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.Refused.Single().Reason, Is.EqualTo("ADD: tensor 'a' is float32; the DSP's ADD kernel runs int8 and uint8 only"));
        Assert.That(d.DspDescription, Is.Null, "nothing was compiled, so no DSP process was started");
    }

    [Test]
    public void OpsWithoutADspKernelSaySo()
    {
        HexagonTestEnvironment.RequireDsp();
        // The operator is checked before the dtype: FLOOR has no DSP kernel at all (RELU, in the int8 network, now has one).
        var mb = new Accel.Building.ModelBuilder("floor");
        int x = mb.AddTensor("x", TensorType.Float32, [4]);
        int y = mb.AddTensor("y", TensorType.Float32, [4]);
        mb.AddOperator(BuiltinOperator.Floor, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new HexagonDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.Refused.Single().Reason, Is.EqualTo("FLOOR has no Hexagon DSP kernel"));
    }
}
