#ifndef ACCEL_HEXAGON_SOFTMAX_H
#define ACCEL_HEXAGON_SOFTMAX_H
#include "sys.h"

/* int8/uint8 SOFTMAX (softmax.c): checks the node's words (0, or a message) and runs it. */
const char *softmax_prepare(const int32_t *w, uint32_t word_count, uint32_t shm_bytes);
void softmax(const int32_t *w, uint8_t *shm);
float softmax_reciprocal(float d);

#endif
