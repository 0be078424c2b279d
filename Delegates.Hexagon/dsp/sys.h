/* Freestanding support for the DSP runtime: Linux system calls through trap0 (number in r6, arguments in r0-r5, the
 * generic syscall table) and the few libc routines the compiler may call. There is no libc for Hexagon in Debian. */
#ifndef ACCEL_HEXAGON_SYS_H
#define ACCEL_HEXAGON_SYS_H

typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
typedef unsigned int size_t;

#define SYS_OPENAT 56
#define SYS_CLOSE 57
#define SYS_READ 63
#define SYS_WRITE 64
#define SYS_EXIT_GROUP 94
#define SYS_MUNMAP 215
#define SYS_MMAP 222

long sys_call6(long n, long a, long b, long c, long d, long e, long f);

static inline long sys_read(int fd, void *buffer, size_t count) { return sys_call6(SYS_READ, fd, (long)buffer, count, 0, 0, 0); }
static inline long sys_write(int fd, const void *buffer, size_t count) { return sys_call6(SYS_WRITE, fd, (long)buffer, count, 0, 0, 0); }
static inline long sys_close(int fd) { return sys_call6(SYS_CLOSE, fd, 0, 0, 0, 0, 0); }
static inline long sys_openat_rw(const char *path) { return sys_call6(SYS_OPENAT, -100 /* AT_FDCWD */, (long)path, 2 /* O_RDWR */, 0, 0, 0); }
/* Returns the address, or a value in [-4095, -1] (an errno) on failure. */
static inline long sys_mmap(void *address, size_t length, int prot, int flags, int fd, long offset)
{
    return sys_call6(SYS_MMAP, (long)address, length, prot, flags, fd, offset);
}
static inline long sys_munmap(void *address, size_t length) { return sys_call6(SYS_MUNMAP, (long)address, length, 0, 0, 0, 0); }
__attribute__((noreturn)) void sys_exit(int code);

static inline int sys_failed(long result) { return result < 0 && result >= -4095; }

/* Anonymous private pages (zeroed), or 0. */
void *page_alloc(size_t bytes);
void page_free(void *p, size_t bytes);

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int value, size_t n);
void *memmove(void *dst, const void *src, size_t n);

/* Hexagon has no integer divide instruction and there is no compiler-rt here: the divisions the kernels need. */
uint32_t udiv32(uint32_t n, uint32_t d);
int32_t sdiv32(int32_t n, int32_t d); /* C's truncating division */

#endif
