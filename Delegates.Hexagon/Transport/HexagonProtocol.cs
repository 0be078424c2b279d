namespace Accel.Delegates.Hexagon.Transport;

/// <summary>
/// The host ↔ DSP wire protocol, mirrored from dsp/protocol.h (README.md §Protocol). Little-endian; every message is a
/// 16-byte header (magic, version, command or status, graph id, payload bytes) and its payload.
/// </summary>
internal static class HexagonProtocol
{
    public const uint Magic = 0x47584841; // "AHXG"
    public const ushort Version = 1;
    public const int HeaderBytes = 16;

    public const ushort Hello = 1;
    public const ushort CreateGraph = 2;
    public const ushort Execute = 3;
    public const ushort DestroyGraph = 4;
    public const ushort Shutdown = 5;
    public const ushort SelfTestMultiply = 6;
    public const ushort SelfTestMultiplyHvx = 7;

    public const ushort StatusOk = 0;
    public const ushort StatusVersionMismatch = 2;

    public static string StatusName(ushort status) => status switch
    {
        0 => "ok",
        1 => "bad magic",
        2 => "protocol version mismatch",
        3 => "bad command",
        4 => "bad graph",
        5 => "no such graph",
        6 => "shared memory failed",
        7 => "out of DSP memory",
        _ => $"status {status}",
    };
}

/// <summary>DSP op codes of the node table (dsp/protocol.h enum dsp_op).</summary>
internal enum DspOp
{
    Add = 1,
    Sub = 2,
    Mul = 3,
    Conv2D = 4,
    DepthwiseConv2D = 5,
    FullyConnected = 6,
    MaxPool2D = 7,
    AveragePool2D = 8,
    Copy = 9,
    Requantize = 10,
    Lookup = 11,
    Pad = 12,
    Concatenation = 13,
    Dequantize = 14,
    StridedCopy = 15,
    ResizeNearest = 16,
    ResizeBilinear = 17,
    QuantizeFloat = 18,
    Softmax = 19,
    ConcatenationRescale = 20,
    Mean = 21,
    TransposeConv = 22,
}

/// <summary>Faults the DSP runtime injects on request (tests of the transport's failure paths).</summary>
[Flags]
internal enum DspFault : uint
{
    None = 0,
    /// <summary>The DSP process exits after the first node of an execute: a crash mid-invoke.</summary>
    ExitMidExecute = 1,
    /// <summary>The DSP spins forever after the first node: an execute that never answers.</summary>
    Hang = 2,
}
