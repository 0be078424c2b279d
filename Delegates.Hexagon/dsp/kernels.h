#ifndef ACCEL_HEXAGON_KERNELS_H
#define ACCEL_HEXAGON_KERNELS_H
#include "sys.h"

/* One node of a graph: its op, its words (README.md §Node table) and what prepare made of them. */
struct node
{
    uint32_t op;
    uint32_t word_count;
    const int32_t *w;
    int16_t *packed;       /* CONV_2D / DEPTHWISE / FULLY_CONNECTED: weights + filter offset, as int16 */
    size_t packed_bytes;
};

/* Checks the node's words against the shared memory (every tensor inside it) and packs weights. 0, or a message. */
const char *node_prepare(struct node *n, uint8_t *shm, uint32_t shm_bytes);
void node_execute(const struct node *n, uint8_t *shm);
void node_release(struct node *n);

#endif
