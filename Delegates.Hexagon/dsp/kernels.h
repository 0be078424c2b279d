#ifndef ACCEL_HEXAGON_KERNELS_H
#define ACCEL_HEXAGON_KERNELS_H
#include "sys.h"

/* One node of a graph: its op, its words (README.md §Node table) and what prepare made of them. */
struct node
{
    uint32_t op;
    uint32_t word_count;
    const int32_t *w;
    /* HVX path (32 output channels per vector): weights + filter offset as int32 lanes, [block][taps][32], and per
     * lane bias, multiplier, left shift, right shift, [block][4][32]; channels (a grouped CONV_2D's: each group's) padded
     * to a multiple of 32. */
    int32_t *wide;
    size_t wide_bytes;
    int32_t *lanes;
    size_t lanes_bytes;
    /* Prepared tables (DSP-private): DEPTHWISE_CONV_2D's gather indices, DEQUANTIZE's and CONCATENATION's byte tables,
     * RESIZE_BILINEAR's taps and weights, float QUANTIZE's thresholds. */
    uint8_t *tables;
    size_t tables_bytes;
};

/* Checks the node's words against the shared memory (every tensor inside it) and packs weights. 0, or a message. */
const char *node_prepare(struct node *n, uint8_t *shm, uint32_t shm_bytes);
void node_execute(const struct node *n, uint8_t *shm);
void node_release(struct node *n);

#endif
