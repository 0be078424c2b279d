#include "sys.h"
#include <hexagon_types.h>
#include <hvx_hexagon_protos.h>

long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r0 asm("r0") = a;
    register long r1 asm("r1") = b;
    register long r2 asm("r2") = c;
    register long r3 asm("r3") = d;
    register long r4 asm("r4") = e;
    register long r5 asm("r5") = f;
    register long r6 asm("r6") = n;
    asm volatile("trap0(#1)" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6) : "memory");
    return r0;
}

void sys_exit(int code)
{
    for (;;) sys_call6(SYS_EXIT_GROUP, code, 0, 0, 0, 0, 0);
}

void *page_alloc(size_t bytes)
{
    if (bytes == 0) bytes = 1;
    long p = sys_mmap(0, bytes, 3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
    return sys_failed(p) ? 0 : (void *)p;
}

void page_free(void *p, size_t bytes)
{
    if (p) sys_munmap(p, bytes == 0 ? 1 : bytes);
}

/* Byte moves in HVX: whole 128-byte vectors with unaligned loads and stores (vmemu), the tail byte by byte. A vector
 * access never reaches past the last byte asked for, so a copy at the end of a mapping stays inside it. */
void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    for (; n >= 128; n -= 128, d += 128, s += 128) *(HVX_UVector *)d = *(const HVX_UVector *)s;
    while (n--) *d++ = *s++;
    return dst;
}

/* Forward when the destination is below the source, else backward: each vector is loaded before the store that
 * could overlap it, so overlapping moves are exact either way. */
void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s)
    {
        for (; n >= 128; n -= 128, d += 128, s += 128)
        {
            HVX_Vector v = *(const HVX_UVector *)s;
            *(HVX_UVector *)d = v;
        }
        while (n--) *d++ = *s++;
    }
    else
    {
        for (; n >= 128; n -= 128)
        {
            HVX_Vector v = *(const HVX_UVector *)(s + n - 128);
            *(HVX_UVector *)(d + n - 128) = v;
        }
        while (n--) d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int value, size_t n)
{
    uint8_t *d = dst;
    HVX_Vector v = Q6_Vb_vsplat_R(value);
    for (; n >= 128; n -= 128, d += 128) *(HVX_UVector *)d = v;
    while (n--) *d++ = (uint8_t)value;
    return dst;
}

uint32_t udiv32(uint32_t n, uint32_t d)
{
    /* Restoring long division, one quotient bit per step; d != 0 is the caller's duty. */
    uint32_t q = 0, r = 0;
    for (int i = 31; i >= 0; i--)
    {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) { r -= d; q |= 1u << i; }
    }
    return q;
}

int32_t sdiv32(int32_t n, int32_t d)
{
    uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
    uint32_t ud = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
    uint32_t q = udiv32(un, ud);
    return (n < 0) != (d < 0) ? (int32_t)(0u - q) : (int32_t)q;
}
