namespace Accel;

/// <summary>Runs a SignatureDef by its input/output names (TFLite's SignatureRunner).</summary>
public sealed class SignatureRunner
{
    private readonly Interpreter _interpreter;
    private readonly SignatureDefinition _signature;

    internal SignatureRunner(Interpreter interpreter, SignatureDefinition signature)
    {
        _interpreter = interpreter;
        _signature = signature;
    }

    public string Key => _signature.Key;
    public IEnumerable<string> InputNames => _signature.Inputs.Select(i => i.Name);
    public IEnumerable<string> OutputNames => _signature.Outputs.Select(o => o.Name);

    public Tensor Input(string name) => _interpreter.GetTensor(Find(_signature.Inputs, name, "input"));
    public Tensor Output(string name) => _interpreter.GetTensor(Find(_signature.Outputs, name, "output"));

    public void AllocateTensors() => _interpreter.AllocateTensors();
    public void Invoke() => _interpreter.Invoke();

    private int Find(SignatureTensor[] tensors, string name, string role)
    {
        foreach (var t in tensors)
            if (t.Name == name) return t.TensorIndex;
        throw new TensorAccessException(
            $"Signature '{Key}' has no {role} named '{name}'. {role}s: {string.Join(", ", tensors.Select(t => t.Name))}.");
    }
}
