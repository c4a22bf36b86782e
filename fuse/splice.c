/*
 * splice.c - the splice pool: worker threads that reply with file data.
 *
 * In the default threading (see main.c) one thread receives and answers
 * every request, holding g.lock alone, so metadata requests cost no
 * hand-over between threads. Only the copying of plain file data from the
 * image, which may wait for the disk, is handed to a few workers here, so
 * that the kernel's read-ahead requests overlap: read.c maps a read to runs
 * of the image under g.lock and queues the reply; a worker hands it to
 * libfuse, which splices the runs from the image to /dev/fuse. The workers
 * never touch the volume, so they never take g.lock; the queue has a lock of
 * its own.
 */
#include <stdlib.h>
#include <string.h>

#include "ntxfs.h"

typedef struct splice_job {
    fuse_req_t req;
    ntxfs_read_vec bv;
    struct splice_job *next;
} splice_job;

static struct {
    pthread_mutex_t lock;         /* guards everything below */
    pthread_cond_t cv;            /* a job was queued, or stop was set */
    splice_job *head, *tail;      /* the queue, oldest first */
    bool stop;
    unsigned nthreads;
    pthread_t threads[16];
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void *splice_worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&pool.lock);
    /* bound: runs until ntxfs_splice_stop() and the queue is empty */
    for (;;) {
        while (pool.head == NULL && !pool.stop)
            pthread_cond_wait(&pool.cv, &pool.lock);
        splice_job *j = pool.head;
        if (j == NULL)
            break;
        pool.head = j->next;
        if (pool.head == NULL)
            pool.tail = NULL;
        pthread_mutex_unlock(&pool.lock);
        fuse_reply_data(j->req, &j->bv.v, 0);
        free(j);
        pthread_mutex_lock(&pool.lock);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

int ntxfs_splice_start(unsigned n)
{
    if (n > sizeof pool.threads / sizeof *pool.threads)
        n = sizeof pool.threads / sizeof *pool.threads;
    for (pool.nthreads = 0; pool.nthreads < n; pool.nthreads++)
        if (pthread_create(&pool.threads[pool.nthreads], NULL, splice_worker, NULL) != 0)
            return -1;
    return 0;
}

void ntxfs_splice_stop(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stop = true;
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.lock);
    for (unsigned i = 0; i < pool.nthreads; i++)
        pthread_join(pool.threads[i], NULL);
    pool.nthreads = 0;
}

bool ntxfs_splice_submit(fuse_req_t req, const ntxfs_read_vec *v)
{
    if (pool.nthreads == 0)
        return false;
    splice_job *j = malloc(sizeof *j);
    if (j == NULL)
        return false;
    j->req = req;
    memcpy(&j->bv, v, sizeof j->bv);
    j->next = NULL;
    pthread_mutex_lock(&pool.lock);
    if (pool.tail != NULL)
        pool.tail->next = j;
    else
        pool.head = j;
    pool.tail = j;
    pthread_cond_signal(&pool.cv);
    pthread_mutex_unlock(&pool.lock);
    return true;
}
