/* The DSP-side graph runtime, in the spirit of hexagon_nn: the host sends a partition (op table with parameters;
 * constants and activations live in a shared-memory file the DSP maps), the DSP prepares it (checks every tensor lies
 * in the mapping, packs weights), executes it on request, and tears it down. Commands arrive on fd 0, replies leave on
 * fd 1 (protocol.h). Runs under qemu-hexagon here; the same sources are meant for a FastRPC skeleton on a device. */
#include "kernels.h"
#include "protocol.h"
#include "quant.h"
#include "hvx_quant.h"

#define MAX_GRAPHS 256

struct graph
{
    int used;
    uint8_t *shm;
    uint32_t shm_bytes;
    int32_t *words;       /* the received table; nodes point into it */
    uint32_t word_bytes;
    struct node *nodes;
    uint32_t node_count;
};

/* The DSP process serves one host delegate; its graph table is process state, as hexagon_nn's is. */
static struct graph graphs[MAX_GRAPHS];

struct header
{
    uint32_t magic;
    uint16_t version;
    uint16_t code;
    uint32_t graph;
    uint32_t payload_bytes;
};

static int read_all(void *buffer, uint32_t bytes)
{
    uint8_t *p = buffer;
    while (bytes > 0)
    {
        long got = sys_read(0, p, bytes);
        if (got <= 0) return 0;
        p += got;
        bytes -= (uint32_t)got;
    }
    return 1;
}

static void write_all(const void *buffer, uint32_t bytes)
{
    const uint8_t *p = buffer;
    while (bytes > 0)
    {
        long put = sys_write(1, p, bytes);
        if (put <= 0) sys_exit(2); /* the host is gone */
        p += put;
        bytes -= (uint32_t)put;
    }
}

static uint32_t text_length(const char *text)
{
    uint32_t n = 0;
    while (text[n]) n++;
    return n;
}

static void reply(uint16_t status, uint32_t graph, const void *payload, uint32_t bytes)
{
    struct header h = { PROTO_MAGIC, PROTO_VERSION, status, graph, bytes };
    write_all(&h, sizeof h);
    if (bytes) write_all(payload, bytes);
}

static void reply_text(uint16_t status, uint32_t graph, const char *text) { reply(status, graph, text, text_length(text)); }

static void destroy(struct graph *g)
{
    for (uint32_t i = 0; i < g->node_count; i++) node_release(&g->nodes[i]);
    page_free(g->nodes, g->node_count * sizeof(struct node));
    page_free(g->words, g->word_bytes);
    if (g->shm) sys_munmap(g->shm, g->shm_bytes);
    memset(g, 0, sizeof *g);
}

static void create_graph(uint32_t id, int32_t *words, uint32_t bytes)
{
    struct graph *g = &graphs[id];
    if (g->used) destroy(g);
    g->used = 1;
    g->words = words;
    g->word_bytes = bytes;
    uint32_t count = bytes / 4, at = 0;
    if (count < 1 || (uint32_t)words[0] > bytes - 4) { reply_text(ST_BAD_GRAPH, id, "truncated shared-memory path"); destroy(g); return; }
    uint32_t path_bytes = (uint32_t)words[0];
    char *path = (char *)(words + 1);
    at = 1 + (path_bytes + 3) / 4;
    if (at + 2 > count) { reply_text(ST_BAD_GRAPH, id, "truncated graph header"); destroy(g); return; }
    /* The path is terminated in place: its padding (or the shm size word, already read) follows it. */
    uint32_t shm_bytes = (uint32_t)words[at];
    uint32_t node_count = (uint32_t)words[at + 1];
    at += 2;
    char path_z[256];
    if (path_bytes >= sizeof path_z) { reply_text(ST_BAD_GRAPH, id, "shared-memory path too long"); destroy(g); return; }
    memcpy(path_z, path, path_bytes);
    path_z[path_bytes] = 0;
    long fd = sys_openat_rw(path_z);
    if (sys_failed(fd)) { reply_text(ST_SHM_FAILED, id, "cannot open the shared-memory file"); destroy(g); return; }
    long mapped = sys_mmap(0, shm_bytes, 3 /* PROT_READ|PROT_WRITE */, 1 /* MAP_SHARED */, (int)fd, 0);
    sys_close((int)fd);
    if (sys_failed(mapped)) { reply_text(ST_SHM_FAILED, id, "cannot map the shared-memory file"); destroy(g); return; }
    g->shm = (uint8_t *)mapped;
    g->shm_bytes = shm_bytes;
    g->nodes = page_alloc(node_count * sizeof(struct node));
    if (!g->nodes) { reply_text(ST_OUT_OF_MEMORY, id, "out of DSP memory for the node table"); destroy(g); return; }
    g->node_count = node_count;
    for (uint32_t i = 0; i < node_count; i++)
    {
        if (at + 2 > count || (uint32_t)words[at + 1] > count - at - 2)
        {
            g->node_count = i;
            reply_text(ST_BAD_GRAPH, id, "truncated node table");
            destroy(g);
            return;
        }
        struct node *n = &g->nodes[i];
        n->op = (uint32_t)words[at];
        n->word_count = (uint32_t)words[at + 1];
        n->w = words + at + 2;
        at += 2 + n->word_count;
        const char *problem = node_prepare(n, g->shm, g->shm_bytes);
        if (problem)
        {
            g->node_count = i + 1;
            char message[160];
            const char prefix[] = "node ";
            uint32_t len = 0;
            memcpy(message, prefix, sizeof prefix - 1);
            len = sizeof prefix - 1;
            char digits[12];
            int d = 0;
            uint32_t v = i;
            do { digits[d++] = (char)('0' + (v - udiv32(v, 10) * 10)); v = udiv32(v, 10); } while (v);
            while (d) message[len++] = digits[--d];
            message[len++] = ':';
            message[len++] = ' ';
            uint32_t plen = text_length(problem);
            if (plen > sizeof message - len) plen = sizeof message - len;
            memcpy(message + len, problem, plen);
            reply(ST_BAD_GRAPH, id, message, len + plen);
            destroy(g);
            return;
        }
    }
    reply(ST_OK, id, 0, 0);
}

static void selftest_mbqm(uint32_t id, int32_t *words, uint32_t bytes)
{
    uint32_t count = bytes >= 4 ? (uint32_t)words[0] : 0;
    if (bytes < 4 || (uint64_t)count * 12 + 4 > bytes) { reply_text(ST_BAD_COMMAND, id, "truncated self-test"); return; }
    /* Results overwrite the inputs' slots in order (result i is written after triple i is read). */
    for (uint32_t i = 0; i < count; i++)
        words[1 + i] = mbqm(words[1 + 3 * i], words[2 + 3 * i], words[3 + 3 * i]);
    reply(ST_OK, id, words + 1, count * 4);
}

static void selftest_mbqm_hvx(uint32_t id, int32_t *words, uint32_t bytes)
{
    uint32_t count = bytes >= 4 ? (uint32_t)words[0] : 0;
    if (bytes < 4 || (uint64_t)count * 12 + 4 > bytes) { reply_text(ST_BAD_COMMAND, id, "truncated self-test"); return; }
    HVX_Vector x, m, left, right, out;
    int32_t *xl = (int32_t *)&x, *ml = (int32_t *)&m, *ll = (int32_t *)&left, *rl = (int32_t *)&right, *ol = (int32_t *)&out;
    for (uint32_t base = 0; base < count; base += HVX_LANES)
    {
        for (uint32_t lane = 0; lane < HVX_LANES; lane++)
        {
            uint32_t i = base + lane < count ? base + lane : count - 1;
            int32_t shift = words[3 + 3 * i];
            xl[lane] = words[1 + 3 * i];
            ml[lane] = words[2 + 3 * i];
            ll[lane] = shift > 0 ? shift : 0;
            rl[lane] = shift > 0 ? 0 : -shift;
        }
        out = hvx_mbqm(x, m, left, right);
        /* Results overwrite the slots of triples already read (result i lands in word 1 + i ≤ 1 + 3·base). */
        for (uint32_t lane = 0; lane < HVX_LANES && base + lane < count; lane++) words[1 + base + lane] = ol[lane];
    }
    reply(ST_OK, id, words + 1, count * 4);
}

void _start(void)
{
    for (;;)
    {
        struct header h;
        if (!read_all(&h, sizeof h)) sys_exit(0); /* the host closed the pipe */
        if (h.magic != PROTO_MAGIC) { reply(ST_BAD_MAGIC, h.graph, 0, 0); sys_exit(4); }
        int32_t *payload = 0;
        uint32_t payload_alloc = h.payload_bytes;
        if (h.payload_bytes)
        {
            payload = page_alloc(payload_alloc);
            if (!payload) { reply(ST_OUT_OF_MEMORY, h.graph, 0, 0); sys_exit(5); }
            if (!read_all(payload, h.payload_bytes)) sys_exit(0);
        }
        if (h.version != PROTO_VERSION)
        {
            uint32_t mine = PROTO_VERSION;
            page_free(payload, payload_alloc);
            reply(ST_VERSION_MISMATCH, h.graph, &mine, 4);
            continue;
        }
        int keep = 0;
        switch (h.code)
        {
        case CMD_HELLO:
        {
            static const char description[] = "\x01\0\0\0Accel Hexagon DSP runtime: v67, HVX 128-byte vectors enabled, scalar 64-bit requantization";
            reply(ST_OK, h.graph, description, sizeof description - 1);
            break;
        }
        case CMD_CREATE_GRAPH:
            if (h.graph >= MAX_GRAPHS) { reply_text(ST_BAD_GRAPH, h.graph, "graph id out of range"); break; }
            create_graph(h.graph, payload, h.payload_bytes);
            keep = graphs[h.graph].used;
            break;
        case CMD_EXECUTE:
        {
            if (h.graph >= MAX_GRAPHS || !graphs[h.graph].used) { reply(ST_NO_GRAPH, h.graph, 0, 0); break; }
            uint32_t flags = h.payload_bytes >= 4 ? (uint32_t)payload[0] : 0;
            struct graph *g = &graphs[h.graph];
            for (uint32_t i = 0; i < g->node_count; i++)
            {
                node_execute(&g->nodes[i], g->shm);
                if (flags & FAULT_EXIT_MID_EXECUTE) sys_exit(3);
                if (flags & FAULT_HANG) for (volatile int spin = 0;; spin++) {}
            }
            reply(ST_OK, h.graph, 0, 0);
            break;
        }
        case CMD_DESTROY_GRAPH:
            if (h.graph < MAX_GRAPHS && graphs[h.graph].used) destroy(&graphs[h.graph]);
            reply(ST_OK, h.graph, 0, 0);
            break;
        case CMD_SHUTDOWN:
            reply(ST_OK, h.graph, 0, 0);
            sys_exit(0);
        case CMD_SELFTEST_MBQM:
            selftest_mbqm(h.graph, payload, h.payload_bytes);
            break;
        case CMD_SELFTEST_MBQM_HVX:
            selftest_mbqm_hvx(h.graph, payload, h.payload_bytes);
            break;
        default:
            reply(ST_BAD_COMMAND, h.graph, 0, 0);
            break;
        }
        if (!keep) page_free(payload, payload_alloc);
    }
}
