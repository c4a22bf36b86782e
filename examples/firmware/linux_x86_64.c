/*
 * linux_x86_64.c - the loader as a static Linux x86-64 program with no libc:
 * its own _start, raw system calls (openat, lseek, pread64, write,
 * exit_group), a pread64 block callback, and a painted stack on which the
 * loader runs so that the stack it really used can be printed.
 *
 * usage: ntx-fw-linux IMAGE PATH...
 * IMAGE is a raw NTFS volume; each PATH ("/boot/kernel.bin", or
 * "/file:stream" for a named stream) is loaded in turn and printed as
 * "PATH size=N crc32=XXXXXXXX sha256=HEX" or "PATH error=CODE (text)".
 * A last line says "stack=N" (bytes of stack the loader used).
 * Exit status: 0 all loaded, 1 some failed, 2 mount failed, 3 usage.
 *
 * Built with -ffreestanding -nostdlib -static: it links the ntx core, the
 * loader and this file, nothing else.
 */
#include "loader.h"

enum { SYS_WRITE = 1, SYS_LSEEK = 8, SYS_PREAD64 = 17, SYS_EXIT_GROUP = 231, SYS_OPENAT = 257 };
#define LINUX_AT_FDCWD (-100L)
#define LINUX_O_RDONLY 0L
#define LINUX_SEEK_END 2L
#define LINUX_EINTR 4L

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static long sys4(long n, long a, long b, long c, long d)
{
    long r;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return r;
}

static _Noreturn void sys_exit(int status)
{
    for (;;)
        sys3(SYS_EXIT_GROUP, status, 0, 0);
}

void fw_print(const char *s, size_t n)
{
    /* bound: each pass writes at least one byte or gives up */
    while (n > 0) {
        long w = sys3(SYS_WRITE, 1, (long)s, (long)n);
        if (w == -LINUX_EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* The block device: pread64 on the image file. */
static int linux_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    long fd = *(const long *)ctx;
    uint8_t *p = buf;
    /* bound: each pass reads at least one byte or fails */
    while (len > 0) {
        long r = sys4(SYS_PREAD64, fd, (long)p, (long)len, (long)off);
        if (r == -LINUX_EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? (int)r : -5; /* -EIO at end of file */
        p += r;
        off += (uint64_t)r;
        len -= (size_t)r;
    }
    return 0;
}

/* ---- a painted stack ---- */

#define LINUX_STACK_SIZE (64u * 1024u)
#define LINUX_PAINT 0xA5u
static _Alignas(16) uint8_t linux_stack[LINUX_STACK_SIZE];

/* linux_on_stack(fn, arg, top): call fn(arg) with the stack pointer at top
 * (16-byte aligned), then return on the original stack. */
void linux_on_stack(void (*fn)(void *), void *arg, void *top);
__asm__(".text\n"
        ".globl linux_on_stack\n"
        ".type linux_on_stack, @function\n"
        "linux_on_stack:\n"
        "    pushq %rbp\n"
        "    movq %rsp, %rbp\n"
        "    movq %rdx, %rsp\n"
        "    movq %rdi, %rax\n"
        "    movq %rsi, %rdi\n"
        "    callq *%rax\n"
        "    movq %rbp, %rsp\n"
        "    popq %rbp\n"
        "    retq\n"
        ".size linux_on_stack, . - linux_on_stack\n");

/* Run fn(arg) on the painted stack; the bytes of it that were written. */
static size_t linux_run_measured(void (*fn)(void *), void *arg)
{
    volatile uint8_t *p = linux_stack;
    for (size_t i = 0; i < LINUX_STACK_SIZE; i++)
        p[i] = LINUX_PAINT;
    linux_on_stack(fn, arg, linux_stack + LINUX_STACK_SIZE);
    size_t untouched = 0;
    while (untouched < LINUX_STACK_SIZE && p[untouched] == LINUX_PAINT)
        untouched++;
    return LINUX_STACK_SIZE - untouched;
}

/* ---- the program ---- */

typedef struct linux_job {
    ntx_io io;
    char **paths;
    int npaths;
    int status;
} linux_job;

static void linux_job_run(void *arg)
{
    linux_job *job = arg;
    if (fw_mount(&job->io) != NTX_OK) {
        job->status = FW_EXIT_MOUNT;
        return;
    }
    for (int i = 0; i < job->npaths; i++) {
        size_t n = 0;
        while (job->paths[i][n] != '\0')
            n++;
        if (fw_load(job->paths[i], n) != NTX_OK)
            job->status = FW_EXIT_LOAD;
    }
}

_Noreturn void linux_main(long *sp);
_Noreturn void linux_main(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    if (argc < 3) {
        fw_puts("usage: ntx-fw-linux IMAGE PATH...\n");
        sys_exit(FW_EXIT_USAGE);
    }
    static long fd;
    fd = sys4(SYS_OPENAT, LINUX_AT_FDCWD, (long)argv[1], LINUX_O_RDONLY, 0);
    if (fd < 0) {
        fw_puts("cannot open the image\n");
        sys_exit(FW_EXIT_USAGE);
    }
    long size = sys3(SYS_LSEEK, fd, 0, LINUX_SEEK_END);

    static linux_job job;
    job.io.read = linux_read;
    job.io.ctx = &fd;
    job.io.offset = 0;
    job.io.size = size > 0 ? (uint64_t)size : 0;
    job.io.block_size = 512;
    job.paths = argv + 2;
    job.npaths = argc - 2;
    job.status = FW_EXIT_OK;
    size_t used = linux_run_measured(linux_job_run, &job);
    fw_puts("stack=");
    fw_put_dec(used);
    fw_puts("\n");
    sys_exit(job.status);
}

/* The kernel starts us with argc at (%rsp), argv after it; no return address. */
__asm__(".text\n"
        ".globl _start\n"
        ".type _start, @function\n"
        "_start:\n"
        "    xorl %ebp, %ebp\n"
        "    movq %rsp, %rdi\n"
        "    andq $-16, %rsp\n"
        "    callq linux_main\n"
        "    hlt\n"
        ".size _start, . - _start\n");
