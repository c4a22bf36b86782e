/*
 * mapped.c - a raw image file read through a read-only mapping of it
 * (ntx_host_options.map_raw), and the guard that turns a fault in the
 * mapping into an I/O error.
 *
 * A page of a mapped file that cannot be read raises SIGBUS when touched:
 * a file truncated by another process after it was mapped, or a file on
 * failing media whose page the kernel cannot fill. pread() would fail with
 * an error there, and so must a mapped read: the copy runs with a guard
 * set for its thread, and the SIGBUS handler jumps back out of the copy,
 * which then fails with -EIO. A SIGBUS with no guard set is not ours: the
 * handler that was there before is put back and the fault happens again
 * under it, as if we had never been installed. The handler is installed
 * when a file is mapped, and again at the next mapping if the program has
 * put its own in its place since; a program that replaces it while a file
 * is mapped takes the guard away until then.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "internal.h"

static _Thread_local sigjmp_buf *volatile guard; /* set only while a mapped copy runs */
static struct sigaction ours, previous; /* ours, and the handler before it */
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
    (void)context;
    bool fault = info != NULL && info->si_code > 0; /* raised by the kernel, not sent */
    if (fault && guard != NULL) {
        sigjmp_buf *jump = guard;
        guard = NULL;
        siglongjmp(*jump, 1);
    }
    /* Not ours. A fault comes back when the faulting instruction runs again
     * on return, then under the handler put back here (an ignored fault
     * would run forever: the default instead). A SIGBUS sent by kill() is
     * delivered again to the handler before ours, which then comes back. */
    struct sigaction before = previous;
    if (fault && !(before.sa_flags & SA_SIGINFO) && before.sa_handler == SIG_IGN)
        before.sa_handler = SIG_DFL;
    sigaction(SIGBUS, &before, NULL);
    if (fault)
        return;
    raise(sig);
    sigaction(SIGBUS, &ours, NULL);
}

/* Is our handler SIGBUS's? Installed when it is not: at the first mapping,
 * and again if the program put a handler of its own over it since (ours
 * then passes to that one what is not ours). */
static bool guard_installed(void)
{
    pthread_mutex_lock(&install_lock);
    struct sigaction now;
    bool ok = sigaction(SIGBUS, NULL, &now) == 0;
    if (ok && !((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_sigbus)) {
        memset(&ours, 0, sizeof ours);
        ours.sa_sigaction = on_sigbus;
        ours.sa_flags = SA_SIGINFO | SA_NODEFER; /* SIGBUS stays unblocked after the jump */
        sigemptyset(&ours.sa_mask);
        ok = sigaction(SIGBUS, &ours, &previous) == 0;
    }
    pthread_mutex_unlock(&install_lock);
    return ok;
}

struct host_map {
    const uint8_t *base;
    size_t len;
    size_t budget;     /* bytes copied out between two drops */
    size_t copied;     /* since the last drop */
};

host_map *host_map_file(int fd, uint64_t size, size_t budget)
{
    struct stat sb;
    if (size == 0 || size > SIZE_MAX || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        (uint64_t)sb.st_size != size)
        return NULL; /* a block device, or a file whose size is not the one given */
    if (!guard_installed())
        return NULL; /* unguarded, a bad page would kill the process: read instead */
    host_map *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        free(m);
        return NULL;
    }
    m->base = p;
    m->len = (size_t)size;
    m->budget = budget;
    return m;
}

void host_map_free(host_map *m)
{
    if (m == NULL)
        return;
    munmap((void *)m->base, m->len);
    free(m);
}

/* memcpy() under the guard: 0, or -EIO when the handler jumped out. */
static int guarded_copy(void *dst, const uint8_t *src, size_t len)
{
    sigjmp_buf jump;
    if (sigsetjmp(jump, 0) != 0)
        return -EIO; /* the handler cleared the guard */
    guard = &jump;
    atomic_signal_fence(memory_order_seq_cst); /* the copy stays between the two */
    memcpy(dst, src, len);
    atomic_signal_fence(memory_order_seq_cst);
    guard = NULL;
    return 0;
}

int host_map_read(host_map *m, uint64_t off, void *buf, size_t len)
{
    if (off > m->len || len > m->len - off)
        return -EIO;
    int rc = guarded_copy(buf, m->base + off, len);
    m->copied += len;
    if (m->copied >= m->budget) {
        /* Pages stay mapped once touched and count in the resident size: a
         * walk over a large $MFT would keep all of it. Unmapping them costs
         * what exit would; the page cache keeps them for the next touch. */
        madvise((void *)m->base, m->len, MADV_DONTNEED);
        m->copied = 0;
    }
    return rc;
}
