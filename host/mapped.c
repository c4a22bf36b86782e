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

const uint8_t *host_map_file(int fd, uint64_t size)
{
    struct stat sb;
    if (size == 0 || size > SIZE_MAX || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        (uint64_t)sb.st_size != size)
        return NULL; /* a block device, or a file whose size is not the one given */
    if (!guard_installed())
        return NULL; /* unguarded, a bad page would kill the process: read instead */
    void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    return m == MAP_FAILED ? NULL : m;
}

void host_unmap_file(const uint8_t *map, uint64_t size)
{
    if (map != NULL)
        munmap((void *)map, (size_t)size);
}

int host_mapped_copy(void *dst, const uint8_t *src, size_t len)
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
