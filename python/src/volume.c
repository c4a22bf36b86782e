/*
 * volume.c - ntx.Volume: an image opened through ntx_host (any container,
 * partition, shadow copy) or a Python file object, mounted with its own
 * workspace and lock; the calls that start from a volume.
 */
#include "ntxpy.h"

#include <stdlib.h>
#include <string.h>

/* ntx_host keeps the container libraries it loads in process-wide tables:
 * opening and closing images is serialized across volumes. */
static PyThread_type_lock host_lock;

PyTypeObject *VolumeInfo_Type;
PyTypeObject *VssStore_Type;
PyTypeObject *Partition_Type;

/* ---- the lock ---- */

static int lock_begin(VolumeObject *v, VGuard *g)
{
    g->v = v;
    g->ts = NULL;
    g->exc = NULL;
    memset(&g->diag, 0, sizeof g->diag);
    if (v->gil_io) {
        unsigned long me = PyThread_get_thread_ident();
        if (pthread_mutex_trylock(&v->lock) != 0) {
            if (v->owner == me) {
                PyErr_SetString(PyExc_RuntimeError,
                                "ntx volume used from its own file object's read method");
                return -1;
            }
            Py_BEGIN_ALLOW_THREADS
            pthread_mutex_lock(&v->lock);
            Py_END_ALLOW_THREADS
        }
        v->owner = me;
    } else {
        g->ts = PyEval_SaveThread();
        pthread_mutex_lock(&v->lock);
    }
    return 0;
}

void vol_note(VGuard *g)
{
    g->diag = g->v->vol.diag;
    if (g->v->cb_exc != NULL && g->exc == NULL) {
        g->exc = g->v->cb_exc; /* gil_io: the GIL is held here */
        g->v->cb_exc = NULL;
    }
}

void vol_leave(VGuard *g)
{
    VolumeObject *v = g->v;
    if (v->gil_io) {
        if (v->cb_exc != NULL) { /* a failure the caller did not ask about */
            Py_CLEAR(v->cb_exc);
        }
        v->owner = 0;
        pthread_mutex_unlock(&v->lock);
    } else {
        pthread_mutex_unlock(&v->lock);
        PyEval_RestoreThread(g->ts);
    }
}

int vol_enter(VolumeObject *v, VGuard *g)
{
    if (lock_begin(v, g) < 0)
        return -1;
    if (!v->open) {
        vol_leave(g);
        PyErr_SetString(PyExc_ValueError, "I/O operation on a closed ntx volume");
        return -1;
    }
    return 0;
}

/* ---- reading a Python file object ---- */

/* The core's read callback over a file object with seek and readinto (or
 * read). Runs with the GIL held (gil_io). A Python exception is kept for
 * the caller (it becomes the __cause__ of ntx.ReadError); a short read
 * (end of file) is -2. */
static int pyfile_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    VolumeObject *v = ctx;
    PyObject *r = PyObject_CallFunction(v->seek, "K", (unsigned long long)off);
    if (r == NULL)
        goto fail;
    Py_DECREF(r);
    size_t done = 0;
    while (done < len) { /* bound: every step adds at least one byte or ends */
        size_t want = len - done;
        Py_ssize_t n;
        if (v->readinto != NULL) {
            PyObject *mv = PyMemoryView_FromMemory((char *)buf + done, (Py_ssize_t)want,
                                                   PyBUF_WRITE);
            if (mv == NULL)
                goto fail;
            r = PyObject_CallOneArg(v->readinto, mv);
            /* the object must not keep a view on memory it does not own */
            PyObject *exc = r == NULL ? ntxpy_fetch_exc() : NULL;
            PyObject *rel = PyObject_CallMethod(mv, "release", NULL);
            Py_DECREF(mv);
            if (exc != NULL) {
                Py_XDECREF(rel);
                PyErr_Clear();
                ntxpy_restore_exc(exc);
                goto fail;
            }
            if (rel == NULL) {
                Py_XDECREF(r);
                goto fail;
            }
            Py_DECREF(rel);
            if (r == Py_None) {
                Py_DECREF(r);
                PyErr_SetString(PyExc_BlockingIOError, "readinto() returned None");
                goto fail;
            }
            n = PyLong_AsSsize_t(r);
            Py_DECREF(r);
            if (n == -1 && PyErr_Occurred())
                goto fail;
        } else {
            r = PyObject_CallFunction(v->read, "n", (Py_ssize_t)want);
            if (r == NULL)
                goto fail;
            char *p;
            if (PyBytes_AsStringAndSize(r, &p, &n) < 0) {
                Py_DECREF(r);
                goto fail;
            }
            if (n > 0 && (size_t)n <= want)
                memcpy((char *)buf + done, p, (size_t)n);
            Py_DECREF(r);
        }
        if (n == 0)
            return -2; /* end of file: the core reports NTX_E_IO */
        if (n < 0 || (size_t)n > want) {
            PyErr_Format(PyExc_ValueError, "read returned %zd for a read of %zu bytes", n, want);
            goto fail;
        }
        done += (size_t)n;
    }
    return 0;
fail:
    if (v->cb_exc == NULL)
        v->cb_exc = ntxpy_fetch_exc();
    else
        PyErr_Clear();
    return -1;
}

/* ---- opening ---- */

static void volume_release(VolumeObject *v)
{
    if (v->open)
        ntx_volume_unmount(&v->vol);
    v->open = false;
    free(v->ws);
    free(v->upcase);
    free(v->scratch);
    v->ws = NULL;
    v->upcase = NULL;
    v->scratch = NULL;
    if (v->host != NULL) {
        ntx_host_image *h = v->host;
        v->host = NULL;
        PyThread_acquire_lock(host_lock, WAIT_LOCK);
        ntx_host_close(h);
        PyThread_release_lock(host_lock);
    }
}

/* Mount io, the lock taken by the caller; the diagnostic in g. */
static ntx_err volume_mount(VolumeObject *v, const ntx_io *io, VGuard *g)
{
    v->ws = malloc(NTX_WORKSPACE_MAX);
    v->scratch = malloc(NTXPY_SCRATCH);
    if (v->ws == NULL || v->scratch == NULL)
        return NTX_E_WORKSPACE;
    ntx_err rc = ntx_volume_mount(&v->vol, io, v->ws, NTX_WORKSPACE_MAX);
    if (rc != NTX_OK) {
        vol_note(g);
        return rc;
    }
    v->open = true;
    v->upcase = malloc(65536 * sizeof(uint16_t));
    if (v->upcase != NULL && ntx_volume_attach_upcase(&v->vol, v->upcase, 65536) != NTX_OK) {
        /* collation then reads $UpCase blocks on demand: slower, same answers */
        free(v->upcase);
        v->upcase = NULL;
    }
    return NTX_OK;
}

typedef struct open_args {
    uint32_t partition;
    bool have_partition;
    bool have_offset;
    uint64_t offset;
    uint32_t vss;
    size_t cache_bytes;
} open_args;

static int open_host(VolumeObject *v, PyObject *source, const open_args *a)
{
    PyObject *fs = NULL;
    if (!PyUnicode_FSConverter(source, &fs))
        return -1;
    ntx_host_options ho;
    ntx_host_options_init(&ho);
    ho.partition = a->have_partition ? a->partition : 0;
    ho.have_offset = a->have_offset;
    ho.offset = a->offset;
    ho.vss_store = a->vss;
    ho.cache_bytes = a->cache_bytes;
    ho.partition_option = "partition=N";
    ho.list_partitions = "ntx.partitions()";
    ho.vss_option = "vss=N";
    ho.list_vss = "Volume.vss_stores()";
    ntx_host_error err;
    memset(&err, 0, sizeof err);
    ntx_host_status st;
    ntx_host_image *img = NULL;
    const char *path = PyBytes_AS_STRING(fs);
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(host_lock, WAIT_LOCK);
    st = ntx_host_open(path, &ho, &img, &err);
    if (st == NTX_HOST_OK)
        st = ntx_host_select(img, &ho, &err);
    if (st != NTX_HOST_OK) {
        ntx_host_close(img);
        img = NULL;
    }
    PyThread_release_lock(host_lock);
    Py_END_ALLOW_THREADS
    Py_DECREF(fs);
    if (st != NTX_HOST_OK) {
        ntxpy_raise_host(&err, source);
        return -1;
    }
    v->host = img;
    v->gil_io = false;
    ntx_io io = ntx_host_volume_io(img);
    v->io_offset = io.offset;
    v->io_size = io.size;
    VGuard g;
    lock_begin(v, &g);
    ntx_err rc = volume_mount(v, &io, &g);
    vol_leave(&g);
    if (rc != NTX_OK) {
        if (rc == NTX_E_WORKSPACE && (v->ws == NULL || v->scratch == NULL)) {
            PyErr_NoMemory();
            return -1;
        }
        ntxpy_raise_g(rc, &g, NULL, source);
        return -1;
    }
    return 0;
}

/* The volume on a file object: at offset, in the partition asked for, or
 * the bare volume at 0, or the only partition holding NTFS. */
static int locate_pyfile(VolumeObject *v, const open_args *a, ntx_io *io)
{
    uint8_t *block = v->scratch;
    ntx_diag d;
    memset(&d, 0, sizeof d);
    if (a->have_offset) {
        if (a->offset % 512 != 0 || (v->io_size != 0 && a->offset >= v->io_size)) {
            PyErr_Format(PyExc_ValueError, "offset %llu is not a multiple of 512 inside the file",
                         (unsigned long long)a->offset);
            return -1;
        }
        io->offset = a->offset;
        io->size = v->io_size ? v->io_size - a->offset : 0;
        return 0;
    }
    ntx_geometry geo;
    ntx_err rc = NTX_OK;
    if (!a->have_partition) {
        rc = ntx_volume_probe(io, block, NTXPY_SCRATCH, &geo, &d);
        if (rc == NTX_OK)
            return 0;
        if (rc == NTX_E_IO) {
            PyObject *cause = v->cb_exc;
            v->cb_exc = NULL;
            ntxpy_raise(rc, &d, cause, "reading the boot sector", NULL);
            return -1;
        }
    }
    ntx_partition_iter it;
    ntx_partition p;
    ntx_io disk = *io;
    rc = ntx_partition_iter_open(&it, &disk, block, NTXPY_SCRATCH);
    uint32_t found = 0;
    ntx_partition chosen;
    memset(&chosen, 0, sizeof chosen);
    for (unsigned n = 0; rc == NTX_OK && n < 4096; n++) { /* bound: 4096 entries */
        rc = ntx_partition_iter_next(&it, &p);
        if (rc == NTX_END)
            break;
        if (rc != NTX_OK) {
            rc = NTX_OK; /* a damaged entry: the iterator moves on */
            continue;
        }
        if (a->have_partition) {
            if (p.index == a->partition) {
                chosen = p;
                found = 1;
                break;
            }
            continue;
        }
        ntx_io pio = disk;
        pio.offset = p.offset;
        pio.size = p.size;
        uint8_t tmp[NTX_MAX_BLOCK_SIZE];
        if (ntx_volume_probe(&pio, tmp, sizeof tmp, &geo, NULL) == NTX_OK) {
            chosen = p;
            found++;
        }
    }
    if (v->cb_exc != NULL) {
        PyObject *cause = v->cb_exc;
        v->cb_exc = NULL;
        ntxpy_raise(NTX_E_IO, NULL, cause, "reading the partition table", NULL);
        return -1;
    }
    if (found == 1) {
        io->offset = chosen.offset;
        io->size = chosen.size;
        return 0;
    }
    if (a->have_partition)
        PyErr_Format(PyExc_ValueError, "no partition %u on this disk", a->partition);
    else if (found > 1)
        PyErr_SetString(PyExc_ValueError,
                        "several partitions hold NTFS: choose one with partition=N "
                        "(ntx.partitions() lists them)");
    else
        ntxpy_raise(NTX_E_NOT_NTFS, &d, NULL, "no NTFS volume at offset 0 nor in a partition",
                    NULL);
    return -1;
}

static int open_pyfile(VolumeObject *v, PyObject *fobj, const open_args *a)
{
    if (a->vss != 0) {
        PyErr_SetString(PyExc_ValueError,
                        "shadow copies are read from images opened by path (ntx_host), not from "
                        "file objects");
        return -1;
    }
    v->fileobj = Py_NewRef(fobj);
    v->gil_io = true;
    v->seek = PyObject_GetAttrString(fobj, "seek");
    if (v->seek == NULL)
        return -1;
    v->readinto = PyObject_GetAttrString(fobj, "readinto");
    if (v->readinto == NULL) {
        PyErr_Clear();
        v->read = PyObject_GetAttrString(fobj, "read");
        if (v->read == NULL)
            return -1;
    }
    /* the device size, when the object can seek to its end */
    PyObject *r = PyObject_CallFunction(v->seek, "ii", 0, 2);
    if (r == NULL) {
        PyErr_Clear();
        v->io_size = 0;
    } else {
        unsigned long long sz = PyLong_AsUnsignedLongLong(r);
        Py_DECREF(r);
        if (sz == (unsigned long long)-1 && PyErr_Occurred())
            return -1;
        v->io_size = sz;
    }
    v->scratch = malloc(NTXPY_SCRATCH);
    if (v->scratch == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    ntx_io io = { pyfile_read, v, 0, v->io_size, 512 };
    VGuard g;
    lock_begin(v, &g);
    int located = locate_pyfile(v, a, &io);
    vol_leave(&g);
    if (located < 0)
        return -1;
    v->io_offset = io.offset;
    v->io_size = io.size;
    free(v->scratch);
    v->scratch = NULL;
    lock_begin(v, &g);
    ntx_err rc = volume_mount(v, &io, &g);
    vol_leave(&g);
    if (rc != NTX_OK) {
        if (rc == NTX_E_WORKSPACE && (v->ws == NULL || v->scratch == NULL)) {
            PyErr_NoMemory();
            return -1;
        }
        ntxpy_raise_g(rc, &g, NULL, NULL);
        return -1;
    }
    return 0;
}

static int opt_u32(PyObject *o, uint32_t *out, bool *have, const char *what, uint32_t min)
{
    if (o == NULL || o == Py_None)
        return 0;
    uint64_t x;
    if (ntxpy_u64(o, &x, what) < 0)
        return -1;
    if (x < min || x > UINT32_MAX) {
        PyErr_Format(PyExc_ValueError, "%s must be at least %u", what, min);
        return -1;
    }
    *out = (uint32_t)x;
    if (have)
        *have = true;
    return 0;
}

static int volume_init(PyObject *self, PyObject *args, PyObject *kw)
{
    VolumeObject *v = (VolumeObject *)self;
    static char *kwlist[] = { "source", "partition", "offset", "vss", "cache_bytes", NULL };
    PyObject *source, *partition = Py_None, *offset = Py_None, *vss = Py_None,
                      *cache = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOO$O:Volume", kwlist, &source, &partition,
                                     &offset, &vss, &cache))
        return -1;
    if (v->lock_ready) {
        PyErr_SetString(PyExc_RuntimeError, "Volume.__init__ called twice");
        return -1;
    }
    if (pthread_mutex_init(&v->lock, NULL) != 0) {
        PyErr_NoMemory();
        return -1;
    }
    v->lock_ready = true;
    open_args a;
    memset(&a, 0, sizeof a);
    if (opt_u32(partition, &a.partition, &a.have_partition, "partition", 1) < 0 ||
        opt_u32(vss, &a.vss, NULL, "vss", 1) < 0)
        return -1;
    if (offset != Py_None) {
        if (ntxpy_u64(offset, &a.offset, "offset") < 0)
            return -1;
        a.have_offset = true;
    }
    if (cache != Py_None) {
        uint64_t c;
        if (ntxpy_u64(cache, &c, "cache_bytes") < 0)
            return -1;
        a.cache_bytes = (size_t)c;
    }
    if (a.have_offset && a.have_partition) {
        PyErr_SetString(PyExc_ValueError, "give partition or offset, not both");
        return -1;
    }
    v->source = Py_NewRef(source);
    bool is_path = PyUnicode_Check(source) || PyBytes_Check(source) ||
                   PyObject_HasAttrString(source, "__fspath__");
    if (is_path)
        return open_host(v, source, &a);
    if (!PyObject_HasAttrString(source, "seek") ||
        !(PyObject_HasAttrString(source, "readinto") || PyObject_HasAttrString(source, "read"))) {
        PyErr_Format(PyExc_TypeError,
                     "source must be a path or a binary file object with seek and readinto "
                     "(or read), not %.100s",
                     Py_TYPE(source)->tp_name);
        return -1;
    }
    return open_pyfile(v, source, &a);
}

static void volume_close_now(VolumeObject *v)
{
    if (!v->lock_ready)
        return;
    VGuard g;
    if (lock_begin(v, &g) < 0) { /* from the volume's own read callback */
        PyErr_Clear();
        return;
    }
    volume_release(v); /* without the GIL for an image: closing it may take time */
    vol_leave(&g);
}

static int volume_traverse(PyObject *self, visitproc visit, void *arg)
{
    VolumeObject *v = (VolumeObject *)self;
    Py_VISIT(v->fileobj);
    Py_VISIT(v->readinto);
    Py_VISIT(v->read);
    Py_VISIT(v->seek);
    Py_VISIT(v->source);
    Py_VISIT(v->info);
    Py_VISIT(v->cb_exc);
    return 0;
}

static int volume_clear(PyObject *self)
{
    VolumeObject *v = (VolumeObject *)self;
    Py_CLEAR(v->fileobj);
    Py_CLEAR(v->readinto);
    Py_CLEAR(v->read);
    Py_CLEAR(v->seek);
    Py_CLEAR(v->source);
    Py_CLEAR(v->info);
    Py_CLEAR(v->cb_exc);
    return 0;
}

static void volume_dealloc(PyObject *self)
{
    VolumeObject *v = (VolumeObject *)self;
    PyObject_GC_UnTrack(self);
    if (v->weakreflist != NULL)
        PyObject_ClearWeakRefs(self);
    if (v->lock_ready) {
        /* nothing else refers to the volume: no other thread holds its lock */
        if (v->gil_io) {
            volume_release(v);
        } else {
            Py_BEGIN_ALLOW_THREADS
            volume_release(v);
            Py_END_ALLOW_THREADS
        }
        pthread_mutex_destroy(&v->lock);
        v->lock_ready = false;
    }
    volume_clear(self);
    Py_TYPE(self)->tp_free(self);
}

/* ---- methods ---- */

static PyObject *volume_close(PyObject *self, PyObject *unused)
{
    (void)unused;
    volume_close_now((VolumeObject *)self);
    Py_RETURN_NONE;
}

static PyObject *volume_enter_cm(PyObject *self, PyObject *unused)
{
    (void)unused;
    VolumeObject *v = (VolumeObject *)self;
    if (!v->open) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on a closed ntx volume");
        return NULL;
    }
    return Py_NewRef(self);
}

static PyObject *volume_exit_cm(PyObject *self, PyObject *args)
{
    (void)args;
    volume_close_now((VolumeObject *)self);
    Py_RETURN_FALSE;
}

static PyObject *volume_open(PyObject *self, PyObject *path)
{
    return file_open_path((VolumeObject *)self, path);
}

static PyObject *volume_open_record(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "ref", "deleted", NULL };
    PyObject *ref;
    int deleted = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$p:open_record", kwlist, &ref, &deleted))
        return NULL;
    uint64_t r;
    if (ntxpy_u64(ref, &r, "ref") < 0)
        return NULL;
    return file_open_ref((VolumeObject *)self, r, deleted ? NTX_OPEN_DELETED : 0, NULL);
}

static PyObject *volume_stat(PyObject *self, PyObject *path)
{
    PyObject *f = file_open_path((VolumeObject *)self, path);
    if (f == NULL)
        return NULL;
    FileObject *fo = (FileObject *)f;
    PyObject *st = file_stat(fo->vol, &fo->f, path);
    Py_DECREF(f);
    return st;
}

static PyObject *volume_exists(PyObject *self, PyObject *path)
{
    PyObject *f = file_open_path((VolumeObject *)self, path);
    if (f != NULL) {
        Py_DECREF(f);
        Py_RETURN_TRUE;
    }
    if (PyErr_ExceptionMatches(ntxpy_error_class(NTX_E_NOT_FOUND)) ||
        PyErr_ExceptionMatches(ntxpy_error_class(NTX_E_NOT_DIR))) {
        PyErr_Clear();
        Py_RETURN_FALSE;
    }
    return NULL;
}

/* The directory target of scandir/listdir: a path, a File or a DirEntry. */
static int resolve_dir(VolumeObject *v, PyObject *target, ntx_file *f, PyObject **dirpath,
                       bool *as_bytes)
{
    *as_bytes = false;
    if (target == NULL) {
        target = PyUnicode_FromString("/");
        if (target == NULL)
            return -1;
        PyObject *fo = file_open_path(v, target);
        if (fo == NULL) {
            Py_DECREF(target);
            return -1;
        }
        *f = ((FileObject *)fo)->f;
        Py_DECREF(fo);
        *dirpath = target;
        return 0;
    }
    PyObject *p;
    if (file_target(target, f, &p) == 0) {
        if (((FileObject *)target)->vol != v) {
            PyErr_SetString(PyExc_ValueError, "that File belongs to another volume");
            return -1;
        }
        *as_bytes = p != Py_None && PyBytes_Check(p);
        *dirpath = Py_NewRef(p);
        return 0;
    }
    uint64_t ref;
    if (direntry_target(target, &ref, &p, as_bytes) == 0) {
        PyObject *fo = file_open_ref(v, ref, 0, p);
        if (fo == NULL)
            return -1;
        *f = ((FileObject *)fo)->f;
        Py_DECREF(fo);
        *dirpath = Py_NewRef(p);
        return 0;
    }
    PyObject *fo = file_open_path(v, target);
    if (fo == NULL)
        return -1;
    *f = ((FileObject *)fo)->f;
    *dirpath = Py_NewRef(((FileObject *)fo)->path);
    *as_bytes = PyBytes_Check(*dirpath);
    Py_DECREF(fo);
    return 0;
}

static PyObject *scandir_common(PyObject *self, PyObject *args, PyObject *kw, bool names)
{
    static char *kwlist[] = { "path", "system", "dos_names", NULL };
    PyObject *target = NULL;
    int system = 0, dos = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, names ? "|O$pp:listdir" : "|O$pp:scandir", kwlist,
                                     &target, &system, &dos))
        return NULL;
    VolumeObject *v = (VolumeObject *)self;
    ntx_file f;
    PyObject *dirpath;
    bool as_bytes;
    if (resolve_dir(v, target, &f, &dirpath, &as_bytes) < 0)
        return NULL;
    PyObject *it = scandir_new(v, &f, dirpath, as_bytes, system, dos, names);
    if (it == NULL || !names) {
        Py_DECREF(dirpath);
        return it;
    }
    PyObject *list = PySequence_List(it);
    Py_DECREF(it);
    Py_DECREF(dirpath);
    return list;
}

static PyObject *volume_scandir(PyObject *self, PyObject *args, PyObject *kw)
{
    return scandir_common(self, args, kw, false);
}

static PyObject *volume_listdir(PyObject *self, PyObject *args, PyObject *kw)
{
    return scandir_common(self, args, kw, true);
}

static PyObject *volume_mft(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "start", "stop", NULL };
    PyObject *start = NULL, *stop = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO:mft", kwlist, &start, &stop))
        return NULL;
    uint64_t a = 0, b = UINT64_MAX;
    if (start != NULL && ntxpy_u64(start, &a, "start") < 0)
        return NULL;
    if (stop != Py_None && ntxpy_u64(stop, &b, "stop") < 0)
        return NULL;
    return mft_iter_new((VolumeObject *)self, a, b);
}

static PyObject *volume_usn(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "path", "stream", "strict", NULL };
    PyObject *path = NULL, *stream = NULL;
    int strict = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OU$p:usn", kwlist, &path, &stream, &strict))
        return NULL;
    VolumeObject *v = (VolumeObject *)self;
    PyObject *p = path != NULL ? Py_NewRef(path) : PyUnicode_FromString("/$Extend/$UsnJrnl");
    PyObject *sname = stream != NULL ? Py_NewRef(stream) : PyUnicode_FromString("$J");
    if (p == NULL || sname == NULL) {
        Py_XDECREF(p);
        Py_XDECREF(sname);
        return NULL;
    }
    PyObject *fo = file_open_path(v, p);
    PyObject *res = NULL;
    if (fo != NULL) {
        PyObject *what = PyUnicode_FromFormat("%S:%U", p, sname);
        ntx_stream s;
        if (what != NULL &&
            stream_open_handle(v, &((FileObject *)fo)->f, sname, what, false, &s, NULL) == 0)
            res = usn_iter_new(v, &s, what, strict);
        Py_XDECREF(what);
        Py_DECREF(fo);
    }
    Py_DECREF(p);
    Py_DECREF(sname);
    return res;
}

static PyObject *volume_count_free(PyObject *self, PyObject *unused)
{
    (void)unused;
    VolumeObject *v = (VolumeObject *)self;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    uint64_t free_cl = 0, used = 0;
    ntx_err rc = ntx_volume_count_free(&v->vol, v->scratch, NTXPY_SCRATCH, &free_cl, &used);
    if (rc != NTX_OK)
        vol_note(&g);
    vol_leave(&g);
    if (rc != NTX_OK)
        return ntxpy_raise_g(rc, &g, "$Bitmap", NULL);
    return Py_BuildValue("(KK)", (unsigned long long)free_cl, (unsigned long long)used);
}

static PyObject *volume_count_records(PyObject *self, PyObject *unused)
{
    (void)unused;
    VolumeObject *v = (VolumeObject *)self;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    uint64_t in_use = 0, total = 0;
    ntx_err rc = ntx_volume_count_records(&v->vol, v->scratch, NTXPY_SCRATCH, &in_use, &total);
    if (rc != NTX_OK)
        vol_note(&g);
    vol_leave(&g);
    if (rc != NTX_OK)
        return ntxpy_raise_g(rc, &g, "$MFT:$BITMAP", NULL);
    return Py_BuildValue("(KK)", (unsigned long long)in_use, (unsigned long long)total);
}

static PyObject *volume_clusters_in_use(PyObject *self, PyObject *args)
{
    unsigned long long lcn, count;
    if (!PyArg_ParseTuple(args, "KK:clusters_in_use", &lcn, &count))
        return NULL;
    VolumeObject *v = (VolumeObject *)self;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    uint64_t used = 0;
    ntx_err rc = ntx_volume_clusters_in_use(&v->vol, lcn, count, &used);
    if (rc != NTX_OK)
        vol_note(&g);
    vol_leave(&g);
    if (rc != NTX_OK)
        return ntxpy_raise_g(rc, &g, "$Bitmap", NULL);
    return PyLong_FromUnsignedLongLong(used);
}

static PyObject *vss_store_object(const ntx_host_vss_store *s)
{
    PyObject *o = PyStructSequence_New(VssStore_Type);
    if (o == NULL)
        return NULL;
    PyObject *items[] = {
        PyLong_FromUnsignedLong(s->index),
        PyUnicode_FromString(s->identifier),
        PyUnicode_FromString(s->copy_identifier),
        PyUnicode_FromString(s->copy_set_identifier),
        ntxpy_datetime(s->creation_time),
        PyLong_FromUnsignedLongLong(s->creation_time),
        PyLong_FromUnsignedLongLong(s->volume_size),
        PyLong_FromUnsignedLong(s->attribute_flags),
        PyBool_FromLong(s->has_in_volume_data),
    };
    for (Py_ssize_t i = 0; i < (Py_ssize_t)(sizeof items / sizeof items[0]); i++) {
        if (items[i] == NULL) {
            for (Py_ssize_t j = i + 1; j < (Py_ssize_t)(sizeof items / sizeof items[0]); j++)
                Py_XDECREF(items[j]);
            Py_DECREF(o);
            return NULL;
        }
        PyStructSequence_SetItem(o, i, items[i]);
    }
    return o;
}

static PyObject *volume_vss_stores(PyObject *self, PyObject *unused)
{
    (void)unused;
    VolumeObject *v = (VolumeObject *)self;
    if (v->host == NULL) {
        if (!v->open) {
            PyErr_SetString(PyExc_ValueError, "I/O operation on a closed ntx volume");
            return NULL;
        }
        return PyList_New(0); /* a file object: no shadow copies read */
    }
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    ntx_host_error err;
    memset(&err, 0, sizeof err);
    uint32_t count = 0;
    ntx_host_vss_store *stores = NULL;
    PyThread_acquire_lock(host_lock, WAIT_LOCK);
    ntx_host_status st = ntx_host_vss_count(v->host, &count, &err);
    if (st == NTX_HOST_OK && count > 0) {
        stores = calloc(count, sizeof *stores);
        if (stores == NULL)
            st = NTX_HOST_E_NOMEM;
        for (uint32_t i = 0; st == NTX_HOST_OK && i < count; i++)
            st = ntx_host_vss_store_info(v->host, i + 1, &stores[i], &err);
    }
    PyThread_release_lock(host_lock);
    vol_leave(&g);
    if (st != NTX_HOST_OK) {
        free(stores);
        if (st == NTX_HOST_E_NOMEM)
            return PyErr_NoMemory();
        return ntxpy_raise_host(&err, v->source);
    }
    PyObject *list = PyList_New(count);
    for (uint32_t i = 0; list != NULL && i < count; i++) {
        PyObject *o = vss_store_object(&stores[i]);
        if (o == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, o);
    }
    free(stores);
    return list;
}

static PyObject *volume_repr(PyObject *self)
{
    VolumeObject *v = (VolumeObject *)self;
    if (v->source == NULL)
        return PyUnicode_FromString("<ntx.Volume (not opened)>");
    return PyUnicode_FromFormat("<ntx.Volume %R%s>", v->source, v->open ? "" : " closed");
}

/* ---- info ---- */

static PyStructSequence_Field volume_info_fields[] = {
    { "label", "$VOLUME_NAME (str)" },
    { "version", "NTFS version, e.g. '3.1'" },
    { "major", "NTFS major version" },
    { "minor", "NTFS minor version" },
    { "flags", "$VOLUME_INFORMATION flags" },
    { "dirty", "the dirty flag is set" },
    { "serial", "volume serial number" },
    { "sector_size", "bytes per sector" },
    { "cluster_size", "bytes per cluster" },
    { "record_size", "bytes per MFT record" },
    { "index_block_size", "bytes per index block" },
    { "block_size", "read alignment in effect" },
    { "total_sectors", "sectors in the volume (boot sector)" },
    { "cluster_count", "clusters in the volume" },
    { "mft_records", "records the $MFT holds" },
    { "mft_lcn", "first cluster of $MFT" },
    { "mftmirr_lcn", "first cluster of $MFTMirr" },
    { "from_backup", "the primary boot sector was bad, the backup was used" },
    { "container", "'raw', 'split raw', 'E01', 'VHD', 'VHDX', 'VMDK', 'qcow2' or 'file object'" },
    { "container_detail", "e.g. '3 segments', 'dynamic'" },
    { "media_size", "bytes of the disk the container holds (None for a file object "
                    "without a size)" },
    { "partition", "the partition read (1..), or None" },
    { "partition_scheme", "'mbr', 'gpt' or None" },
    { "volume_offset", "byte offset of the volume on the disk" },
    { "vss_store", "the shadow copy store read (1.. oldest first), or None" },
    { "vss_identifier", "its GUID, or None" },
    { "vss_creation_time", "its creation time (datetime), or None" },
    { NULL, NULL },
};

static PyStructSequence_Desc volume_info_desc = {
    "ntx.VolumeInfo", "What Volume.info says: $Volume, the geometry, and where the volume was "
                      "found.", volume_info_fields, 27,
};

static PyObject *volume_make_info(VolumeObject *v)
{
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    ntx_volume_info vi;
    ntx_err rc = ntx_volume_get_info(&v->vol, &vi);
    if (rc != NTX_OK)
        vol_note(&g);
    vol_leave(&g);
    if (rc != NTX_OK)
        return ntxpy_raise_g(rc, &g, "$Volume", NULL);
    const ntx_host_info *hi = v->host ? ntx_host_describe(v->host) : NULL;
    PyObject *o = PyStructSequence_New(VolumeInfo_Type);
    if (o == NULL)
        return NULL;
    PyObject *label = ntxpy_name(vi.label, vi.label_len, false);
    const char *scheme = NULL;
    if (hi != NULL)
        scheme = hi->partition_scheme == NTX_PT_MBR ? "mbr"
                 : hi->partition_scheme == NTX_PT_GPT ? "gpt" : NULL;
    PyObject *items[27] = {
        label,
        PyUnicode_FromFormat("%u.%u", vi.major, vi.minor),
        PyLong_FromLong(vi.major),
        PyLong_FromLong(vi.minor),
        PyLong_FromLong(vi.flags),
        PyBool_FromLong(vi.dirty),
        PyLong_FromUnsignedLongLong(vi.geo.serial),
        PyLong_FromUnsignedLong(vi.geo.sector_size),
        PyLong_FromUnsignedLong(vi.geo.cluster_size),
        PyLong_FromUnsignedLong(vi.geo.record_size),
        PyLong_FromUnsignedLong(vi.geo.index_block_size),
        PyLong_FromUnsignedLong(vi.geo.block_size),
        PyLong_FromUnsignedLongLong(vi.geo.total_sectors),
        PyLong_FromUnsignedLongLong(vi.geo.cluster_count),
        PyLong_FromUnsignedLongLong(vi.mft_records),
        PyLong_FromUnsignedLongLong(vi.geo.mft_lcn),
        PyLong_FromUnsignedLongLong(vi.geo.mftmirr_lcn),
        PyBool_FromLong(vi.geo.from_backup),
        PyUnicode_FromString(hi ? hi->format_name : "file object"),
        hi ? PyUnicode_FromString(hi->format_detail) : Py_NewRef(Py_None),
        hi ? PyLong_FromUnsignedLongLong(hi->media_size)
           : (v->io_size ? PyLong_FromUnsignedLongLong(v->io_size + v->io_offset)
                         : Py_NewRef(Py_None)),
        hi && hi->partition ? PyLong_FromUnsignedLong(hi->partition) : Py_NewRef(Py_None),
        scheme ? PyUnicode_FromString(scheme) : Py_NewRef(Py_None),
        PyLong_FromUnsignedLongLong(hi ? hi->volume_offset : v->io_offset),
        hi && hi->vss_store ? PyLong_FromUnsignedLong(hi->vss_store) : Py_NewRef(Py_None),
        hi && hi->vss_store ? PyUnicode_FromString(hi->vss_identifier) : Py_NewRef(Py_None),
        hi && hi->vss_store ? ntxpy_datetime(hi->vss_creation_time) : Py_NewRef(Py_None),
    };
    bool ok = true;
    for (Py_ssize_t i = 0; i < 27; i++) {
        if (items[i] == NULL) {
            ok = false;
            continue;
        }
        PyStructSequence_SetItem(o, i, items[i]);
    }
    if (!ok) {
        Py_DECREF(o); /* fields left NULL are skipped by the dealloc */
        return NULL;
    }
    return o;
}

static PyObject *volume_get_info(PyObject *self, void *closure)
{
    (void)closure;
    VolumeObject *v = (VolumeObject *)self;
    if (v->info == NULL) {
        v->info = volume_make_info(v);
        if (v->info == NULL)
            return NULL;
    }
    return Py_NewRef(v->info);
}

static PyObject *volume_get_closed(PyObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(!((VolumeObject *)self)->open);
}

static PyObject *volume_get_source(PyObject *self, void *closure)
{
    (void)closure;
    VolumeObject *v = (VolumeObject *)self;
    return Py_NewRef(v->source ? v->source : Py_None);
}

static PyObject *volume_get_records(PyObject *self, void *closure)
{
    (void)closure;
    VolumeObject *v = (VolumeObject *)self;
    return PyLong_FromUnsignedLongLong(v->open ? v->vol.mft_records : 0);
}

static PyMethodDef volume_methods[] = {
    { "close", volume_close, METH_NOARGS,
      "close()\n\nUnmount and close the image (waits for calls in other threads). Files, "
      "streams and iterators of the volume then raise ValueError." },
    { "__enter__", volume_enter_cm, METH_NOARGS, NULL },
    { "__exit__", volume_exit_cm, METH_VARARGS, NULL },
    { "open", volume_open, METH_O,
      "open(path) -> File\n\nThe file or directory at path (str, bytes or os.PathLike; '/' "
      "separated from the root; names compared as Windows does, case-insensitively through "
      "$UpCase, an exact-case match preferred; symbolic links are not followed)." },
    { "open_record", (PyCFunction)(void (*)(void))volume_open_record,
      METH_VARARGS | METH_KEYWORDS,
      "open_record(ref, *, deleted=False) -> File\n\nMFT record ref: a record number, or a "
      "reference whose sequence number (bits 48-63) must match. deleted=True opens a base "
      "record not in use (a deleted file) whatever its sequence number." },
    { "stat", volume_stat, METH_O, "stat(path) -> Stat\n\nopen(path).stat()." },
    { "exists", volume_exists, METH_O,
      "exists(path) -> bool\n\nWhether path names a file or directory." },
    { "listdir", (PyCFunction)(void (*)(void))volume_listdir, METH_VARARGS | METH_KEYWORDS,
      "listdir(path='/', *, system=False, dos_names=False) -> list[str] | list[bytes]\n\nThe "
      "names in a directory (path: str, bytes, os.PathLike, a File or a DirEntry), in index "
      "order, as os.listdir; bytes for a bytes path. system=True also lists the metadata "
      "files of records 0-15 ($MFT, $Extend...); dos_names=True the DOS 8.3 aliases." },
    { "scandir", (PyCFunction)(void (*)(void))volume_scandir, METH_VARARGS | METH_KEYWORDS,
      "scandir(path='/', *, system=False, dos_names=False) -> ScandirIterator\n\nDirEntry "
      "objects of a directory, as os.scandir (a context manager too)." },
    { "mft", (PyCFunction)(void (*)(void))volume_mft, METH_VARARGS | METH_KEYWORDS,
      "mft(start=0, stop=None) -> Iterator[MftRecord]\n\nEvery MFT record from start to "
      "stop (default: all $MFT holds), in use or not: deleted files, extension records, "
      "records never used and unreadable ones included (state says which)." },
    { "usn", (PyCFunction)(void (*)(void))volume_usn, METH_VARARGS | METH_KEYWORDS,
      "usn(path='/$Extend/$UsnJrnl', stream='$J', *, strict=False) -> Iterator[UsnRecord]\n\n"
      "The change journal's records. A record that cannot be is skipped 8 bytes at a time "
      "(its offset kept in the iterator's skipped list), or raises CorruptError with "
      "strict=True." },
    { "count_free", volume_count_free, METH_NOARGS,
      "count_free() -> tuple[int, int]\n\n(free, used) clusters in $Bitmap." },
    { "count_records", volume_count_records, METH_NOARGS,
      "count_records() -> tuple[int, int]\n\n(in use, total) MFT records in $MFT:$BITMAP." },
    { "clusters_in_use", volume_clusters_in_use, METH_VARARGS,
      "clusters_in_use(lcn, count) -> int\n\nHow many of the clusters [lcn, lcn + count) "
      "$Bitmap marks in use: whether a deleted file's clusters (Stream.runs()) were "
      "reallocated." },
    { "vss_stores", volume_vss_stores, METH_NOARGS,
      "vss_stores() -> list[VssStore]\n\nThe shadow copy stores of the volume (oldest "
      "first; vss=N opens store N)." },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef volume_getset[] = {
    { "info", volume_get_info, NULL, "VolumeInfo: label, version, geometry, container.", NULL },
    { "closed", volume_get_closed, NULL, "True after close().", NULL },
    { "source", volume_get_source, NULL, "The path or file object opened.", NULL },
    { "record_count", volume_get_records, NULL, "Records the $MFT holds.", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject Volume_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.Volume",
    .tp_basicsize = sizeof(VolumeObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Volume(source, partition=None, offset=None, vss=None, *, cache_bytes=None)\n\n"
              "An NTFS volume, read-only. source is a path (a raw image or device, split raw, "
              "E01, VHD/VHDX, VMDK, qcow2: the container is recognised) or a binary file "
              "object with seek() and readinto() (or read()). partition=N reads partition N "
              "(MBR 1-4 primary, 5.. logical; GPT entry N), offset=BYTES the volume at that "
              "offset; else a bare volume, or the only NTFS partition. vss=N reads shadow copy "
              "store N (1 = oldest). A context manager. One volume is used by one thread at a "
              "time (a lock serializes calls); open one Volume per thread for parallel reads.",
    .tp_new = PyType_GenericNew,
    .tp_init = volume_init,
    .tp_dealloc = volume_dealloc,
    .tp_traverse = volume_traverse,
    .tp_clear = volume_clear,
    .tp_repr = volume_repr,
    .tp_methods = volume_methods,
    .tp_getset = volume_getset,
    .tp_weaklistoffset = offsetof(VolumeObject, weakreflist),
};

/* ---- module functions ---- */

PyObject *ntxpy_features(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    size_t n = 0;
    const ntx_host_feature *f = ntx_host_features(&n);
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *rt;
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(host_lock, WAIT_LOCK);
        rt = ntx_host_feature_runtime_version(&f[i]);
        PyThread_release_lock(host_lock);
        Py_END_ALLOW_THREADS
        PyObject *t = Py_BuildValue("(szzz)", f[i].name, f[i].library, f[i].built_version, rt);
        if (t == NULL || PyList_Append(list, t) < 0) {
            Py_XDECREF(t);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(t);
    }
    return list;
}

static PyStructSequence_Field partition_fields[] = {
    { "index", "as users number them: MBR 1-4 primary, 5.. logical; GPT entry 1.." },
    { "scheme", "'mbr' or 'gpt'" },
    { "type", "MBR type byte (int), or GPT type GUID (str)" },
    { "name", "GPT partition name, '' for MBR" },
    { "offset", "bytes from the start of the disk" },
    { "size", "bytes" },
    { "maybe_ntfs", "a type Windows puts NTFS in" },
    { NULL, NULL },
};

static PyStructSequence_Desc partition_desc = {
    "ntx.Partition", "A partition of a disk image (ntx.partitions()).", partition_fields, 7,
};

static PyObject *guid_str(const uint8_t g[16])
{
    return PyUnicode_FromFormat(
        "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
        (unsigned)(g[0] | g[1] << 8 | g[2] << 16 | (unsigned)g[3] << 24),
        (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10], g[11],
        g[12], g[13], g[14], g[15]);
}

static PyObject *partition_object(const ntx_partition *p)
{
    PyObject *o = PyStructSequence_New(Partition_Type);
    if (o == NULL)
        return NULL;
    size_t nl = 0;
    while (nl < 36 && p->gpt_name[nl] != 0)
        nl++;
    PyObject *items[7] = {
        PyLong_FromUnsignedLong(p->index),
        PyUnicode_FromString(p->scheme == NTX_PT_GPT ? "gpt" : "mbr"),
        p->scheme == NTX_PT_GPT ? guid_str(p->gpt_type) : PyLong_FromLong(p->mbr_type),
        p->scheme == NTX_PT_GPT ? ntxpy_name(p->gpt_name, nl, false) : PyUnicode_FromString(""),
        PyLong_FromUnsignedLongLong(p->offset),
        PyLong_FromUnsignedLongLong(p->size),
        PyBool_FromLong(p->maybe_ntfs),
    };
    bool ok = true;
    for (Py_ssize_t i = 0; i < 7; i++) {
        if (items[i] == NULL)
            ok = false;
        else
            PyStructSequence_SetItem(o, i, items[i]);
    }
    if (!ok) {
        Py_DECREF(o);
        return NULL;
    }
    return o;
}

/* The partitions of a path (through ntx_host's disk callback) or a file object. */
PyObject *ntxpy_partitions(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kwlist[] = { "source", NULL };
    PyObject *source;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:partitions", kwlist, &source))
        return NULL;
    /* a Volume object that was never mounted serves as the reader's context */
    VolumeObject *v = (VolumeObject *)PyType_GenericAlloc(&Volume_Type, 0);
    if (v == NULL)
        return NULL;
    v->lock_ready = pthread_mutex_init(&v->lock, NULL) == 0;
    uint8_t *block = malloc(NTXPY_SCRATCH);
    PyObject *list = PyList_New(0);
    ntx_io io;
    ntx_host_error err;
    memset(&err, 0, sizeof err);
    bool is_path = PyUnicode_Check(source) || PyBytes_Check(source) ||
                   PyObject_HasAttrString(source, "__fspath__");
    if (!v->lock_ready || block == NULL || list == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (is_path) {
        PyObject *fs = NULL;
        if (!PyUnicode_FSConverter(source, &fs))
            goto fail;
        ntx_host_status st;
        ntx_host_image *img = NULL;
        const char *path = PyBytes_AS_STRING(fs);
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(host_lock, WAIT_LOCK);
        st = ntx_host_open(path, NULL, &img, &err);
        PyThread_release_lock(host_lock);
        Py_END_ALLOW_THREADS
        Py_DECREF(fs);
        if (st != NTX_HOST_OK) {
            ntxpy_raise_host(&err, source);
            goto fail;
        }
        v->host = img;
        io = ntx_host_disk_io(img, 0, 0);
    } else {
        open_args a;
        memset(&a, 0, sizeof a);
        v->gil_io = true;
        v->fileobj = Py_NewRef(source);
        v->seek = PyObject_GetAttrString(source, "seek");
        v->readinto = PyObject_GetAttrString(source, "readinto");
        if (v->seek == NULL || v->readinto == NULL)
            goto fail;
        io = (ntx_io){ pyfile_read, v, 0, 0, 512 };
        PyObject *r = PyObject_CallFunction(v->seek, "ii", 0, 2);
        if (r == NULL)
            goto fail;
        io.size = PyLong_AsUnsignedLongLong(r);
        Py_DECREF(r);
        if (PyErr_Occurred())
            goto fail;
    }
    ntx_partition_iter it;
    ntx_partition p;
    VGuard g;
    lock_begin(v, &g);
    ntx_err rc = ntx_partition_iter_open(&it, &io, block, NTXPY_SCRATCH);
    vol_note(&g);
    vol_leave(&g);
    if (rc == NTX_E_NOT_FOUND)
        goto done;
    if (rc != NTX_OK) {
        ntxpy_raise_g(rc, &g, "partition table", NULL);
        goto fail;
    }
    for (unsigned n = 0; n < 4096; n++) { /* bound: 4096 entries */
        lock_begin(v, &g);
        rc = ntx_partition_iter_next(&it, &p);
        vol_note(&g);
        vol_leave(&g);
        if (rc == NTX_END)
            break;
        if (rc != NTX_OK) {
            if (g.exc != NULL) {
                ntxpy_raise_g(rc, &g, "partition table", NULL);
                goto fail;
            }
            continue; /* a damaged entry: the iterator moved on */
        }
        PyObject *o = partition_object(&p);
        if (o == NULL || PyList_Append(list, o) < 0) {
            Py_XDECREF(o);
            goto fail;
        }
        Py_DECREF(o);
    }
done:
    free(block);
    Py_DECREF(v);
    return list;
fail:
    free(block);
    Py_XDECREF(list);
    Py_DECREF(v);
    return NULL;
}

int ntxpy_init_volume(PyObject *m)
{
    host_lock = PyThread_allocate_lock();
    if (host_lock == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (PyType_Ready(&Volume_Type) < 0 || PyModule_AddObjectRef(m, "Volume", (PyObject *)&Volume_Type) < 0)
        return -1;
    static PyStructSequence_Field vss_fields[] = {
        { "index", "1.. (oldest first, as vshadowinfo numbers them)" },
        { "identifier", "store GUID" },
        { "copy_identifier", "shadow copy GUID" },
        { "copy_set_identifier", "shadow copy set GUID" },
        { "creation_time", "datetime (UTC)" },
        { "creation_filetime", "NT time" },
        { "volume_size", "bytes of the volume the copy shows" },
        { "attribute_flags", "VSS_VOLSNAP_ATTR_*" },
        { "has_in_volume_data", "its blocks are in this volume" },
        { NULL, NULL },
    };
    static PyStructSequence_Desc vss_desc = {
        "ntx.VssStore", "A Volume Shadow Copy store (Volume.vss_stores()).", vss_fields, 9,
    };
    VolumeInfo_Type = PyStructSequence_NewType(&volume_info_desc);
    VssStore_Type = PyStructSequence_NewType(&vss_desc);
    Partition_Type = PyStructSequence_NewType(&partition_desc);
    if (VolumeInfo_Type == NULL || VssStore_Type == NULL || Partition_Type == NULL)
        return -1;
    if (PyModule_AddObjectRef(m, "VolumeInfo", (PyObject *)VolumeInfo_Type) < 0 ||
        PyModule_AddObjectRef(m, "VssStore", (PyObject *)VssStore_Type) < 0 ||
        PyModule_AddObjectRef(m, "Partition", (PyObject *)Partition_Type) < 0)
        return -1;
    return 0;
}
