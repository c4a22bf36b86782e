/*
 * ntxpy.h - what the files of the ntx Python binding share.
 *
 * The binding is written against the full CPython C API (python/README.md
 * says why not the limited one). Every object that reads the volume holds a
 * strong reference to its Volume; a Volume serializes every call into the
 * core with its own lock (one ntx_volume and one workspace per Volume), so
 * separate Volumes run in parallel in separate threads. Calls into the core
 * on an image opened through ntx_host run with the GIL released; on a
 * Python file object they keep it, since the read callback calls Python.
 */
#ifndef NTXPY_H
#define NTXPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <pythread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ntx.h"
#include "ntx/host.h"

/* ---- the volume ---- */

typedef struct VolumeObject {
    PyObject_HEAD
    /* held around every call into the core: a plain mutex (Python's locks
     * read the clock on every acquire) */
    pthread_mutex_t lock;
    bool lock_ready;
    unsigned long owner;      /* the thread holding lock, in gil_io mode (read under the GIL) */
    bool open;                /* mounted, not closed */
    bool gil_io;              /* the read callback calls Python: keep the GIL */
    ntx_volume vol;
    uint8_t *ws;              /* NTX_WORKSPACE_MAX bytes */
    uint16_t *upcase;         /* the whole $UpCase table, or NULL */
    uint8_t *scratch;         /* NTXPY_SCRATCH bytes, used under the lock */
    ntx_host_image *host;     /* an image opened by path, or NULL */
    PyObject *fileobj;        /* a Python file object, or NULL */
    PyObject *readinto;       /* its bound readinto (or read) and seek */
    PyObject *read;
    PyObject *seek;
    PyObject *cb_exc;         /* what the Python read callback raised, until reported */
    uint64_t io_offset;       /* where the volume starts on the device */
    uint64_t io_size;         /* bytes of the volume's device from io_offset on */
    PyObject *source;         /* the path or file object given */
    PyObject *info;           /* cached VolumeInfo */
    PyObject *weakreflist;
} VolumeObject;

/* Scratch for reparse points, attribute values and change journal records:
 * the largest buffer any single call of the binding needs. */
#define NTXPY_SCRATCH 131072u
/* readlink: the reparse point and its decoded target, side by side */
#define NTXPY_LINK_CAP (3u * (NTX_REPARSE_MAX / 2u) + 1u)
_Static_assert(NTX_REPARSE_BUFFER_SIZE + NTXPY_LINK_CAP <= NTXPY_SCRATCH, "scratch too small");

/* A call into the core: vol_enter() takes the volume's lock (releasing the
 * GIL unless the reads need it) and fails on a closed volume;
 * vol_leave() gives both back. Between the two, no Python API unless
 * gil_io. The diagnostic and the callback's exception are taken before the
 * lock is released (another thread may fail next). */
typedef struct VGuard {
    VolumeObject *v;
    PyThreadState *ts;
    ntx_diag diag;            /* the volume's diag after the call */
    PyObject *exc;            /* the read callback's exception, owned */
} VGuard;

int vol_enter(VolumeObject *v, VGuard *g);
void vol_leave(VGuard *g);
/* In the guarded region after a failed call: keep what ntxpy_raise() needs. */
void vol_note(VGuard *g);

extern PyTypeObject Volume_Type;

/* ---- errors ---- */

/* Raise the ntx.Error subclass of rc, with the diagnostic (if it is about
 * rc), the exception of a Python read callback as its __cause__ (stolen),
 * and what (UTF-8, may be NULL) or obj (a path object, may be NULL) named
 * in the message. Returns NULL. */
PyObject *ntxpy_raise(ntx_err rc, const ntx_diag *diag, PyObject *cause, const char *what,
                      PyObject *obj);
/* The same from a guard after vol_leave(). */
PyObject *ntxpy_raise_g(ntx_err rc, VGuard *g, const char *what, PyObject *obj);
/* The class raised for rc (borrowed). */
PyObject *ntxpy_error_class(int rc);
/* An ntx_host failure: ntx.ImageError or its subclass for the status. */
PyObject *ntxpy_raise_host(const ntx_host_error *err, PyObject *path);
/* Build (not raise) the exception object for rc: for rows that carry an error. */
PyObject *ntxpy_error_object(ntx_err rc, const ntx_diag *diag, const char *what);

/* ---- values ---- */

/* An aware UTC datetime for an NT time (100 ns since 1601), or None when
 * datetime cannot represent it (after 9999). New reference, NULL on error. */
PyObject *ntxpy_datetime(uint64_t nt);
/* The four times in NTFS order as a tuple of ints. */
PyObject *ntxpy_filetimes(const uint64_t t[4]);
/* A UTF-16 name as str, lone surrogates kept (surrogatepass), or as WTF-8
 * bytes when as_bytes. */
PyObject *ntxpy_name(const uint16_t *name, size_t n, bool as_bytes);
/* A path argument (str, bytes or os.PathLike) as UTF-8/WTF-8 bytes; sets
 * *was_bytes. New reference or NULL. */
PyObject *ntxpy_path_bytes(PyObject *path, bool *was_bytes);
/* A NTX_NS_* namespace as "posix", "win32", "dos", "win32+dos". */
const char *ntxpy_namespace_name(unsigned ns);
const char *ntxpy_data_form_name(unsigned form);
const char *ntxpy_wof_name(unsigned algorithm);
/* "wim", "dedup", "cloud", "hsm" or NULL for a reparse tag. */
const char *ntxpy_external_kind(uint32_t tag);
const char *ntxpy_attr_type_name(uint32_t type);

/* ---- objects ---- */

typedef struct FileObject {
    PyObject_HEAD
    VolumeObject *vol;
    ntx_file f;
    PyObject *path;           /* as opened, or None */
} FileObject;

extern PyTypeObject File_Type;
extern PyTypeObject Stat_Type;
extern PyTypeObject Attribute_Type;
extern PyTypeObject DirEntry_Type;
extern PyTypeObject ScandirIter_Type;
extern PyTypeObject MftIter_Type;
extern PyTypeObject MftRecord_Type;
extern PyTypeObject UsnIter_Type;
extern PyTypeObject *Stream_Type;   /* built at import: a subclass of _io._RawIOBase */

extern PyTypeObject *FileName_Type;   /* struct sequences */
extern PyTypeObject *StreamInfo_Type;
extern PyTypeObject *VolumeInfo_Type;
extern PyTypeObject *UsnRecord_Type;
extern PyTypeObject *VssStore_Type;
extern PyTypeObject *Run_Type;
extern PyTypeObject *ReparsePoint_Type;
extern PyTypeObject *SlackEntry_Type;
extern PyTypeObject *Partition_Type;

/* A File for an open ntx_file; path may be NULL. */
PyObject *file_new(VolumeObject *v, const ntx_file *f, PyObject *path);
/* Open ref (a record number or a reference) with flags. */
PyObject *file_open_ref(VolumeObject *v, uint64_t ref, unsigned flags, PyObject *path);
/* Open a path given as str, bytes or os.PathLike. */
PyObject *file_open_path(VolumeObject *v, PyObject *path);
/* The stat of an open file, under the lock of its volume. */
PyObject *file_stat(VolumeObject *v, const ntx_file *f, PyObject *what);
/* A small resident value read when its stream is opened, under the same
 * hold of the lock: reading it later takes neither the lock nor the GIL
 * off again (the volume is read-only, so the value cannot change). */
#define NTXPY_PREFETCH 1024u
typedef struct ntxpy_prefetch {
    bool valid;
    size_t len;
    uint8_t buf[NTXPY_PREFETCH];
} ntxpy_prefetch;
/* Under the lock: fill p for a resident stream of up to NTXPY_PREFETCH bytes. */
void stream_prefetch(ntx_stream *s, ntxpy_prefetch *p);
/* A Stream over an open stream; p (may be NULL) from stream_prefetch(). */
PyObject *stream_new(VolumeObject *v, const ntx_stream *s, uint64_t mft_no, PyObject *name,
                     const ntxpy_prefetch *p);
/* Open the unnamed (or named) $DATA of f; name NULL or "" for the unnamed one. */
PyObject *stream_open_data(VolumeObject *v, const ntx_file *f, PyObject *name, PyObject *what);

/* scandir over directory f (dirpath: str or bytes or None; names in bytes
 * when as_bytes); names_only: the iterator gives names (listdir). */
PyObject *scandir_new(VolumeObject *v, const ntx_file *f, PyObject *dirpath, bool as_bytes,
                      bool system, bool dos_names, bool names_only);

/* The module's setup of each file's types: 0 or -1. */
int ntxpy_init_errors(PyObject *m);
int ntxpy_init_values(PyObject *m);
int ntxpy_init_volume(PyObject *m);
int ntxpy_init_file(PyObject *m);
int ntxpy_init_stream(PyObject *m);
int ntxpy_init_dir(PyObject *m);
int ntxpy_init_mft(PyObject *m);
int ntxpy_init_usn(PyObject *m);

/* Module-level functions of volume.c. */
PyObject *ntxpy_features(PyObject *self, PyObject *unused);
PyObject *ntxpy_partitions(PyObject *self, PyObject *args, PyObject *kw);

/* Vol.mft() / Vol.usn(): iterators (mft.c, usn.c). */
PyObject *mft_iter_new(VolumeObject *v, uint64_t start, uint64_t stop);
PyObject *usn_iter_new(VolumeObject *v, const ntx_stream *s, PyObject *what, bool strict);

/* Argument helpers. */
int ntxpy_u64(PyObject *o, uint64_t *out, const char *what);

/* PyModule_Add() of Python 3.13: adds obj (stolen, may be NULL on a failed
 * creation) as name. */
static inline int ntxpy_module_add(PyObject *m, const char *name, PyObject *obj)
{
    if (obj == NULL)
        return -1;
    int r = PyModule_AddObjectRef(m, name, obj);
    Py_DECREF(obj);
    return r;
}

/* The exception being raised, taken (with its traceback), and put back:
 * PyErr_GetRaisedException() and PyErr_SetRaisedException() of 3.12. */
static inline PyObject *ntxpy_fetch_exc(void)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (t == NULL)
        return NULL;
    PyErr_NormalizeException(&t, &v, &tb);
    if (tb != NULL && v != NULL)
        PyException_SetTraceback(v, tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
}

static inline void ntxpy_restore_exc(PyObject *v)
{
    PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(v)), v, PyException_GetTraceback(v));
}

/* A stream name (str) as UTF-16 units (surrogatepass); 0 or -1. */
int ntxpy_name_utf16(PyObject *name, uint16_t out[NTX_NAME_MAX], size_t *n);
/* The FileName row of a parsed $FILE_NAME, its attribute id and value length (file.c). */
PyObject *filename_object(const ntx_dirent *de, bool as_bytes, unsigned instance,
                          uint32_t value_len);

/* Open the $DATA stream named name (str; NULL or "" for the unnamed one)
 * of f into *out (stream.c). 0, or -1 with the exception set naming what. */
int stream_open_handle(VolumeObject *v, const ntx_file *f, PyObject *name, PyObject *what,
                       bool raw, ntx_stream *out, ntxpy_prefetch *p);

/* dir.c: the reference and path of a DirEntry (borrowed path); 0, or -1 if
 * o is no DirEntry (no exception set). */
int direntry_target(PyObject *o, uint64_t *ref, PyObject **path, bool *as_bytes);
/* file.c: the ntx_file and path (borrowed) of a File; 0 or -1 (no exception). */
int file_target(PyObject *o, ntx_file *f, PyObject **path);

#endif
