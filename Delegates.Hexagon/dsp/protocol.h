/* The host <-> DSP protocol (mirrored by Delegates.Hexagon/Transport/HexagonProtocol.cs; documented in README.md).
 * Little-endian. Every message is a 16-byte header followed by payload_bytes of payload:
 *   u32 magic, u16 version, u16 command (requests) or status (replies), u32 graph id, u32 payload bytes. */
#ifndef ACCEL_HEXAGON_PROTOCOL_H
#define ACCEL_HEXAGON_PROTOCOL_H

#define PROTO_MAGIC 0x47584841u /* "AHXG" */
#define PROTO_VERSION 1

enum command
{
    CMD_HELLO = 1,         /* payload: none. Reply payload: u32 version, then the DSP's description (text). */
    CMD_CREATE_GRAPH = 2,  /* payload: u32 shm path bytes, path, pad to 4, u32 shm bytes, u32 nodes, nodes. */
    CMD_EXECUTE = 3,       /* payload: u32 flags (FAULT_*: test-only fault injection). */
    CMD_DESTROY_GRAPH = 4, /* payload: none. */
    CMD_SHUTDOWN = 5,      /* payload: none; the DSP replies, then exits 0. */
    CMD_SELFTEST_MBQM = 6, /* payload: u32 count, then count × (x, multiplier, shift) int32; reply: count int32 results. */
    CMD_SELFTEST_MBQM_HVX = 7, /* as CMD_SELFTEST_MBQM, computed by hvx_quant.h 32 lanes at a time */
};

enum status
{
    ST_OK = 0,
    ST_BAD_MAGIC = 1,
    ST_VERSION_MISMATCH = 2, /* reply payload: u32 the DSP's version */
    ST_BAD_COMMAND = 3,
    ST_BAD_GRAPH = 4,      /* reply payload: a message */
    ST_NO_GRAPH = 5,
    ST_SHM_FAILED = 6,     /* reply payload: a message */
    ST_OUT_OF_MEMORY = 7,
};

#define FAULT_EXIT_MID_EXECUTE 1u /* exit(3) after the first node: a crash mid-invoke */
#define FAULT_HANG 2u             /* spin forever: a timeout */

/* DSP op codes of the node table; each node is u32 op, u32 word count, then the op's words (README.md). */
enum dsp_op
{
    OP_ADD = 1,
    OP_SUB = 2,
    OP_MUL = 3,
    OP_CONV_2D = 4,
    OP_DEPTHWISE_CONV_2D = 5,
    OP_FULLY_CONNECTED = 6,
    OP_MAX_POOL_2D = 7,
    OP_AVERAGE_POOL_2D = 8,
    OP_COPY = 9,
    OP_REQUANTIZE = 10,
    OP_LOOKUP = 11,
    OP_PAD = 12,
    OP_CONCATENATION = 13,
    OP_DEQUANTIZE = 14,
    OP_STRIDED_COPY = 15,
    OP_RESIZE_NEAREST = 16,
    OP_RESIZE_BILINEAR = 17,
    OP_QUANTIZE_FLOAT = 18,
    OP_SOFTMAX = 19,
    OP_CONCATENATION_RESCALE = 20,
    OP_MEAN = 21,
    OP_TRANSPOSE_CONV = 22,
};

#endif
