#ifndef ACCEL_HEXAGON_CONCAT_RESCALE_H
#define ACCEL_HEXAGON_CONCAT_RESCALE_H
#include "sys.h"

/* uint8 CONCATENATION with rescale (concat_rescale.c): checks the node's words (0, or a message), builds the
 * rescaled inputs' byte tables (256 bytes per input, in vlut32's order) and runs it with them. */
const char *concat_rescale_prepare(const int32_t *w, uint32_t word_count, uint32_t shm_bytes);
void concat_rescale_tables(const int32_t *w, uint8_t *tables);
void concat_rescale(const int32_t *w, uint8_t *shm, const uint8_t *tables);

#endif
