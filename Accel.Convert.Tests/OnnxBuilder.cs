using Accel.Conversion.Onnx;
using Google.Protobuf;

namespace Accel.Conversion.Tests;

/// <summary>A minimal ONNX model builder for the op-level tests: float inputs/outputs, float/int64 initializers,
/// nodes with int, float, string, ints and floats attributes.</summary>
public sealed class OnnxBuilder
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly int _opset;
    private int _nodes;

    public OnnxBuilder(int opset = 17) { _opset = opset; }

    public OnnxBuilder Input(string name, params long[] shape) { _graph.Input.Add(ValueInfo(name, shape)); return this; }

    /// <param name="elemType">ONNX TensorProto.DataType: 1 float (default), 7 int64.</param>
    public OnnxBuilder Output(string name, int elemType = 1) { _graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType } } }); return this; }

    public OnnxBuilder InputSymbolic(string name, string batch, params long[] rest)
    {
        var vi = ValueInfo(name, rest);
        vi.Type.TensorType.Shape.Dim.Insert(0, new TensorShapeProto.Types.Dimension { DimParam = batch });
        _graph.Input.Add(vi);
        return this;
    }

    public OnnxBuilder Float(string name, long[] shape, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(shape);
        t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(t);
        return this;
    }

    public OnnxBuilder Int64(string name, long[] shape, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(shape);
        t.Int64Data.Add(values);
        _graph.Initializer.Add(t);
        return this;
    }

    public OnnxBuilder Node(string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = $"{op}_{_nodes++}" };
        n.Input.Add(inputs);
        n.Output.Add(outputs);
        foreach (var (name, value) in attributes)
        {
            var a = new AttributeProto { Name = name };
            switch (value)
            {
                case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
                case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
                case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
                case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
                case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.Add(ls); break;
                case int[] ints: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.Add(ints.Select(v => (long)v)); break;
                case float[] fs: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.Add(fs); break;
                default: throw new ArgumentException($"attribute {name}: {value.GetType()}");
            }
            n.Attribute.Add(a);
        }
        _graph.Node.Add(n);
        return this;
    }

    public byte[] Build()
    {
        var m = new ModelProto { IrVersion = 8, ProducerName = "accel-tests", Graph = _graph };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        return m.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name, long[] shape)
    {
        var s = new TensorShapeProto();
        foreach (long d in shape) s.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = s } } };
    }
}
