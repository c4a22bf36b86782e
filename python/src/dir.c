/*
 * dir.c - Volume.scandir() and listdir(): ntx.ScandirIterator and
 * ntx.DirEntry, shaped like os.scandir's. Entries are read from the $I30
 * index a batch at a time with the GIL released; a DirEntry carries what
 * the index entry says (names, sizes and $FILE_NAME times as copied in the
 * index, which may be stale) and opens the file for stat() and open().
 */
#include "ntxpy.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 128u

typedef struct ScandirObject {
    PyObject_HEAD
    VolumeObject *vol;
    ntx_dir_iter *it;
    ntx_dirent *batch;
    unsigned nbatch, next;
    PyObject *dirpath;        /* str, bytes or None; paths of the entries */
    bool names_only;
    bool as_bytes;
    bool system;
    bool done;
    ntx_err err;              /* met after the batch: raised when it is spent */
    VGuard errg;
} ScandirObject;

typedef struct DirEntryObject {
    PyObject_HEAD
    VolumeObject *vol;
    PyObject *name;
    PyObject *dirpath;
    PyObject *path;           /* made on first use */
    PyObject *stat;           /* cached */
    uint64_t mft_ref, parent_ref;
    uint64_t times[4];
    uint64_t alloc_size, data_size;
    uint32_t file_attrs, reparse_tag;
    uint8_t ns;
    bool is_dir;
    bool as_bytes;
} DirEntryObject;

/* ---- DirEntry ---- */

int direntry_target(PyObject *o, uint64_t *ref, PyObject **path, bool *as_bytes)
{
    if (!PyObject_TypeCheck(o, &DirEntry_Type))
        return -1;
    DirEntryObject *e = (DirEntryObject *)o;
    *ref = e->mft_ref;
    *as_bytes = e->as_bytes;
    if (e->path == NULL) {
        PyObject *p = PyObject_GetAttrString(o, "path");
        if (p == NULL) {
            PyErr_Clear();
            *path = Py_None;
            return 0;
        }
        Py_DECREF(p); /* e->path now holds it */
    }
    *path = e->path ? e->path : Py_None;
    return 0;
}

static PyObject *entry_new(ScandirObject *s, const ntx_dirent *de)
{
    DirEntryObject *e = PyObject_New(DirEntryObject, &DirEntry_Type);
    if (e == NULL)
        return NULL;
    e->vol = (VolumeObject *)Py_NewRef((PyObject *)s->vol);
    e->dirpath = Py_NewRef(s->dirpath);
    e->path = NULL;
    e->stat = NULL;
    e->mft_ref = de->mft_ref;
    e->parent_ref = de->parent_ref;
    memcpy(e->times, de->times, sizeof e->times);
    e->alloc_size = de->alloc_size;
    e->data_size = de->data_size;
    e->file_attrs = de->file_attrs;
    e->reparse_tag = de->reparse_tag;
    e->ns = de->name_space;
    e->is_dir = de->is_dir;
    e->as_bytes = s->as_bytes;
    e->name = ntxpy_name(de->name, de->name_len, s->as_bytes);
    if (e->name == NULL) {
        e->name = Py_NewRef(Py_None);
        Py_DECREF(e);
        return NULL;
    }
    return (PyObject *)e;
}

static int entry_clear(PyObject *self)
{
    DirEntryObject *e = (DirEntryObject *)self;
    Py_CLEAR(e->vol);
    Py_CLEAR(e->name);
    Py_CLEAR(e->dirpath);
    Py_CLEAR(e->path);
    Py_CLEAR(e->stat);
    return 0;
}

static void entry_dealloc(PyObject *self)
{
    entry_clear(self);
    PyObject_Free(self);
}

static PyObject *entry_path(DirEntryObject *e)
{
    if (e->path != NULL)
        return Py_NewRef(e->path);
    PyObject *p;
    if (e->dirpath == Py_None) {
        p = Py_NewRef(e->name);
    } else if (PyBytes_Check(e->dirpath)) {
        Py_ssize_t n = PyBytes_GET_SIZE(e->dirpath);
        const char *d = PyBytes_AS_STRING(e->dirpath);
        bool sep = n > 0 && d[n - 1] == '/';
        PyObject *name = e->name;
        PyObject *nb = PyBytes_Check(name) ? Py_NewRef(name)
                                           : PyUnicode_AsEncodedString(name, "utf-8",
                                                                       "surrogatepass");
        if (nb == NULL)
            return NULL;
        p = PyBytes_FromStringAndSize(NULL, n + (sep ? 0 : 1) + PyBytes_GET_SIZE(nb));
        if (p != NULL) {
            char *q = PyBytes_AS_STRING(p);
            memcpy(q, d, (size_t)n);
            if (!sep)
                q[n++] = '/';
            memcpy(q + n, PyBytes_AS_STRING(nb), (size_t)PyBytes_GET_SIZE(nb));
        }
        Py_DECREF(nb);
    } else {
        Py_ssize_t n = PyUnicode_GET_LENGTH(e->dirpath);
        bool sep = n > 0 && PyUnicode_READ_CHAR(e->dirpath, n - 1) == '/';
        p = sep ? PyUnicode_Concat(e->dirpath, e->name)
                : PyUnicode_FromFormat("%U/%U", e->dirpath, e->name);
    }
    if (p == NULL)
        return NULL;
    e->path = Py_NewRef(p);
    return p;
}

static bool entry_maybe_interix(const DirEntryObject *e)
{
    return !e->is_dir && (e->file_attrs & NTX_FA_SYSTEM) && e->data_size >= 10 &&
           e->data_size <= 8 + 2 * 4096;
}

static PyObject *entry_stat_obj(DirEntryObject *e)
{
    if (e->stat != NULL)
        return Py_NewRef(e->stat);
    PyObject *path = entry_path(e);
    if (path == NULL)
        return NULL;
    PyObject *f = file_open_ref(e->vol, e->mft_ref, 0, path);
    Py_DECREF(path);
    if (f == NULL)
        return NULL;
    PyObject *st = file_stat(e->vol, &((FileObject *)f)->f, ((FileObject *)f)->path);
    Py_DECREF(f);
    if (st == NULL)
        return NULL;
    e->stat = Py_NewRef(st);
    return st;
}

static int entry_is_symlink(DirEntryObject *e)
{
    if (e->reparse_tag == NTX_REPARSE_SYMLINK || e->reparse_tag == NTX_REPARSE_MOUNT_POINT)
        return 1;
    if (!entry_maybe_interix(e))
        return 0;
    PyObject *st = entry_stat_obj(e);
    if (st == NULL)
        return -1;
    PyObject *t = PyObject_GetAttrString(st, "reparse_target");
    Py_DECREF(st);
    if (t == NULL)
        return -1;
    int r = t != Py_None;
    Py_DECREF(t);
    return r;
}

static int follow_arg(PyObject *args, PyObject *kw, const char *fmt)
{
    static char *kwlist[] = { "follow_symlinks", NULL };
    int follow = 1;
    if (PyTuple_GET_SIZE(args) == 0 && kw == NULL)
        return 1; /* the usual call, without parsing */
    if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist, &follow))
        return -1;
    return follow;
}

static PyObject *e_is_dir(PyObject *self, PyObject *args, PyObject *kw)
{
    DirEntryObject *e = (DirEntryObject *)self;
    int follow = follow_arg(args, kw, "|$p:is_dir");
    if (follow < 0)
        return NULL;
    if (!follow) {
        int l = entry_is_symlink(e);
        if (l < 0)
            return NULL;
        if (l)
            Py_RETURN_FALSE;
    }
    return PyBool_FromLong(e->is_dir);
}

static PyObject *e_is_file(PyObject *self, PyObject *args, PyObject *kw)
{
    DirEntryObject *e = (DirEntryObject *)self;
    int follow = follow_arg(args, kw, "|$p:is_file");
    if (follow < 0)
        return NULL;
    if (!follow) {
        int l = entry_is_symlink(e);
        if (l < 0)
            return NULL;
        if (l)
            Py_RETURN_FALSE;
    }
    return PyBool_FromLong(!e->is_dir);
}

static PyObject *e_is_symlink(PyObject *self, PyObject *unused)
{
    (void)unused;
    int l = entry_is_symlink((DirEntryObject *)self);
    if (l < 0)
        return NULL;
    return PyBool_FromLong(l);
}

static PyObject *e_stat(PyObject *self, PyObject *args, PyObject *kw)
{
    if (follow_arg(args, kw, "|$p:stat") < 0)
        return NULL;
    return entry_stat_obj((DirEntryObject *)self);
}

static PyObject *e_inode(PyObject *self, PyObject *unused)
{
    (void)unused;
    return PyLong_FromUnsignedLongLong(NTX_REF_MFT(((DirEntryObject *)self)->mft_ref));
}

static PyObject *e_file(PyObject *self, PyObject *unused)
{
    (void)unused;
    DirEntryObject *e = (DirEntryObject *)self;
    PyObject *path = entry_path(e);
    if (path == NULL)
        return NULL;
    PyObject *f = file_open_ref(e->vol, e->mft_ref, 0, path);
    Py_DECREF(path);
    return f;
}

/* open(): the file and its stream under one hold of the lock. */
static PyObject *e_open(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "name", NULL };
    PyObject *name = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|U:open", kwlist, &name))
        return NULL;
    DirEntryObject *e = (DirEntryObject *)self;
    if (name != NULL && PyUnicode_GET_LENGTH(name) > 0) {
        PyObject *f = e_file(self, NULL);
        if (f == NULL)
            return NULL;
        PyObject *s = stream_open_data(e->vol, &((FileObject *)f)->f, name,
                                       ((FileObject *)f)->path);
        Py_DECREF(f);
        return s;
    }
    VGuard g;
    if (vol_enter(e->vol, &g) < 0)
        return NULL;
    ntx_file f;
    ntx_stream s;
    ntxpy_prefetch p;
    ntx_err rc = ntx_file_open(&f, &e->vol->vol, e->mft_ref, 0);
    if (rc == NTX_OK)
        rc = ntx_stream_open_data(&s, &f, NULL, 0);
    if (rc != NTX_OK)
        vol_note(&g);
    else
        stream_prefetch(&s, &p);
    vol_leave(&g);
    if (rc != NTX_OK) {
        PyObject *path = entry_path(e);
        if (path == NULL)
            return NULL;
        ntxpy_raise_g(rc, &g, NULL, path);
        Py_DECREF(path);
        return NULL;
    }
    return stream_new(e->vol, &s, NTX_REF_MFT(e->mft_ref), NULL, &p);
}

static PyObject *e_fspath(PyObject *self, PyObject *unused)
{
    (void)unused;
    return entry_path((DirEntryObject *)self);
}

static PyObject *entry_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<ntx.DirEntry %R>", ((DirEntryObject *)self)->name);
}

enum { E_NAME, E_PATH, E_REF, E_RECORD, E_SEQ, E_PARENT, E_NS, E_SIZE, E_ALLOC, E_ATTRS,
       E_TAG, E_FT, E_CREATED, E_MODIFIED, E_CHANGED, E_ACCESSED };

static PyObject *entry_get(PyObject *self, void *closure)
{
    DirEntryObject *e = (DirEntryObject *)self;
    switch ((int)(intptr_t)closure) {
    case E_NAME: return Py_NewRef(e->name);
    case E_PATH: return entry_path(e);
    case E_REF: return PyLong_FromUnsignedLongLong(e->mft_ref);
    case E_RECORD: return PyLong_FromUnsignedLongLong(NTX_REF_MFT(e->mft_ref));
    case E_SEQ: return PyLong_FromLong(NTX_REF_SEQ(e->mft_ref));
    case E_PARENT: return PyLong_FromUnsignedLongLong(e->parent_ref);
    case E_NS: return PyUnicode_FromString(ntxpy_namespace_name(e->ns));
    case E_SIZE: return PyLong_FromUnsignedLongLong(e->data_size);
    case E_ALLOC: return PyLong_FromUnsignedLongLong(e->alloc_size);
    case E_ATTRS: return PyLong_FromUnsignedLong(e->file_attrs);
    case E_TAG: return PyLong_FromUnsignedLong(e->reparse_tag);
    case E_FT: return ntxpy_filetimes(e->times);
    case E_CREATED: return ntxpy_datetime(e->times[NTX_TIME_CREATE]);
    case E_MODIFIED: return ntxpy_datetime(e->times[NTX_TIME_MODIFY]);
    case E_CHANGED: return ntxpy_datetime(e->times[NTX_TIME_MFT_CHANGE]);
    case E_ACCESSED: return ntxpy_datetime(e->times[NTX_TIME_ACCESS]);
    default: break;
    }
    PyErr_SetString(PyExc_SystemError, "bad DirEntry field");
    return NULL;
}

#define EG(name, id, doc) { name, entry_get, NULL, doc, (void *)(intptr_t)(id) }
static PyGetSetDef entry_getset[] = {
    EG("name", E_NAME, "the entry's name (str, or bytes when listed by a bytes path)"),
    EG("path", E_PATH, "the directory's path joined with name"),
    EG("reference", E_REF, "the file's MFT reference (record | sequence << 48)"),
    EG("record", E_RECORD, "its record number (inode())"),
    EG("sequence", E_SEQ, "its sequence number"),
    EG("parent_reference", E_PARENT, "the directory, as this name records it"),
    EG("namespace", E_NS, "'posix', 'win32', 'dos' or 'win32+dos'"),
    EG("size", E_SIZE, "data size copied in the index (may be stale: stat() reads the file)"),
    EG("allocated_size", E_ALLOC, "allocated size copied in the index"),
    EG("file_attributes", E_ATTRS, "FILE_ATTRIBUTE_* as in the index"),
    EG("reparse_tag", E_TAG, "reparse tag recorded in the index entry, 0 if none"),
    EG("filetimes", E_FT, "$FILE_NAME times copied in the index: (created, modified, changed, "
                          "accessed) as FILETIME ints"),
    EG("created", E_CREATED, "index $FILE_NAME creation time (datetime)"),
    EG("modified", E_MODIFIED, "index $FILE_NAME modification time"),
    EG("changed", E_CHANGED, "index $FILE_NAME MFT change time"),
    EG("accessed", E_ACCESSED, "index $FILE_NAME access time"),
    { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef entry_methods[] = {
    { "inode", e_inode, METH_NOARGS, "inode() -> int\n\nThe MFT record number." },
    { "is_dir", (PyCFunction)(void (*)(void))e_is_dir, METH_VARARGS | METH_KEYWORDS,
      "is_dir(*, follow_symlinks=True) -> bool\n\nA directory (a directory link or junction "
      "too, unless follow_symlinks=False: links are never followed inside an image)." },
    { "is_file", (PyCFunction)(void (*)(void))e_is_file, METH_VARARGS | METH_KEYWORDS,
      "is_file(*, follow_symlinks=True) -> bool" },
    { "is_symlink", e_is_symlink, METH_NOARGS,
      "is_symlink() -> bool\n\nA symbolic link or junction (reparse tag in the index), or an "
      "Interix symlink (read from the file)." },
    { "stat", (PyCFunction)(void (*)(void))e_stat, METH_VARARGS | METH_KEYWORDS,
      "stat(*, follow_symlinks=True) -> Stat\n\nThe file's Stat (read from its record, "
      "cached)." },
    { "file", e_file, METH_NOARGS, "file() -> File\n\nOpen the entry's record." },
    { "open", (PyCFunction)(void (*)(void))e_open, METH_VARARGS | METH_KEYWORDS,
      "open(name='') -> Stream\n\nThe file's unnamed (or named) $DATA stream." },
    { "__fspath__", e_fspath, METH_NOARGS, "the path" },
    { NULL, NULL, 0, NULL },
};

PyTypeObject DirEntry_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.DirEntry",
    .tp_basicsize = sizeof(DirEntryObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An entry of a directory (Volume.scandir()), as os.DirEntry.",
    .tp_dealloc = entry_dealloc,
    .tp_repr = entry_repr,
    .tp_getset = entry_getset,
    .tp_methods = entry_methods,
};

/* ---- ScandirIterator ---- */

PyObject *scandir_new(VolumeObject *v, const ntx_file *f, PyObject *dirpath, bool as_bytes,
                      bool system, bool dos_names, bool names_only)
{
    ScandirObject *s = PyObject_New(ScandirObject, &ScandirIter_Type);
    if (s == NULL)
        return NULL;
    s->vol = (VolumeObject *)Py_NewRef((PyObject *)v);
    s->it = malloc(sizeof *s->it);
    s->batch = malloc(BATCH * sizeof *s->batch);
    s->nbatch = s->next = 0;
    s->names_only = names_only;
    s->dirpath = Py_NewRef(dirpath ? dirpath : Py_None);
    s->as_bytes = as_bytes;
    s->system = system;
    s->done = false;
    s->err = NTX_OK;
    s->errg.exc = NULL;
    if (s->it == NULL || s->batch == NULL) {
        Py_DECREF(s);
        return PyErr_NoMemory();
    }
    VGuard g;
    if (vol_enter(v, &g) < 0) {
        Py_DECREF(s);
        return NULL;
    }
    unsigned flags = NTX_DIR_SKIP_SELF | (dos_names ? 0u : NTX_DIR_SKIP_DOS);
    ntx_err rc = ntx_dir_iter_open(s->it, f, flags);
    if (rc != NTX_OK)
        vol_note(&g);
    vol_leave(&g);
    if (rc != NTX_OK) {
        Py_DECREF(s);
        if (dirpath != NULL && dirpath != Py_None)
            return ntxpy_raise_g(rc, &g, NULL, dirpath);
        char what[64];
        snprintf(what, sizeof what, "record %llu", (unsigned long long)f->mft_no);
        return ntxpy_raise_g(rc, &g, what, NULL);
    }
    return (PyObject *)s;
}

/* The next batch of entries, read under one hold of the lock. */
static int scandir_fill(ScandirObject *s)
{
    VGuard g;
    if (vol_enter(s->vol, &g) < 0)
        return -1;
    unsigned n = 0;
    ntx_err rc = NTX_OK;
    while (n < BATCH) { /* bound: BATCH entries; the iterator's fuel bounds the skips */
        rc = ntx_dir_iter_next(s->it, &s->batch[n]);
        if (rc != NTX_OK)
            break;
        if (!s->system && NTX_REF_MFT(s->batch[n].mft_ref) < NTX_MFT_FIRST_USER)
            continue;
        n++;
    }
    if (rc != NTX_OK && rc != NTX_END)
        vol_note(&g);
    vol_leave(&g);
    s->nbatch = n;
    s->next = 0;
    if (rc == NTX_END) {
        s->done = true;
    } else if (rc != NTX_OK) {
        s->done = true;
        s->err = rc;
        s->errg = g; /* raised once the entries read before are delivered */
    }
    return 0;
}

static PyObject *scandir_next(PyObject *self)
{
    ScandirObject *s = (ScandirObject *)self;
    if (s->next == s->nbatch) {
        if (s->err != NTX_OK) {
            ntx_err rc = s->err;
            s->err = NTX_OK;
            VGuard g = s->errg;
            s->errg.exc = NULL;
            if (s->dirpath != Py_None)
                return ntxpy_raise_g(rc, &g, NULL, s->dirpath);
            char what[64];
            snprintf(what, sizeof what, "record %llu", (unsigned long long)s->it->dir_mft_no);
            return ntxpy_raise_g(rc, &g, what, NULL);
        }
        if (s->done || s->vol == NULL)
            return NULL;
        if (scandir_fill(s) < 0)
            return NULL;
        if (s->nbatch == 0)
            return scandir_next(self); /* the end, or the error */
    }
    const ntx_dirent *de = &s->batch[s->next++];
    if (s->names_only)
        return ntxpy_name(de->name, de->name_len, s->as_bytes);
    return entry_new(s, de);
}

static PyObject *scandir_close(PyObject *self, PyObject *unused)
{
    (void)unused;
    ScandirObject *s = (ScandirObject *)self;
    s->done = true;
    s->nbatch = s->next = 0;
    s->err = NTX_OK;
    Py_CLEAR(s->errg.exc);
    Py_RETURN_NONE;
}

static PyObject *scandir_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(self);
}

static PyObject *scandir_exit(PyObject *self, PyObject *args)
{
    (void)args;
    PyObject *r = scandir_close(self, NULL);
    Py_XDECREF(r);
    Py_RETURN_FALSE;
}

static int scandir_clear(PyObject *self)
{
    ScandirObject *s = (ScandirObject *)self;
    Py_CLEAR(s->vol);
    Py_CLEAR(s->dirpath);
    Py_CLEAR(s->errg.exc);
    return 0;
}

static void scandir_dealloc(PyObject *self)
{
    ScandirObject *s = (ScandirObject *)self;
    scandir_clear(self);
    free(s->it);
    free(s->batch);
    PyObject_Free(self);
}

static PyMethodDef scandir_methods[] = {
    { "close", scandir_close, METH_NOARGS, "close()" },
    { "__enter__", scandir_enter, METH_NOARGS, NULL },
    { "__exit__", scandir_exit, METH_VARARGS, NULL },
    { NULL, NULL, 0, NULL },
};

PyTypeObject ScandirIter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.ScandirIterator",
    .tp_basicsize = sizeof(ScandirObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Iterator of DirEntry objects (or of names, for listdir), in index order. An "
              "error in the index is raised after the entries read before it.",
    .tp_dealloc = scandir_dealloc,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = scandir_next,
    .tp_methods = scandir_methods,
};

int ntxpy_init_dir(PyObject *m)
{
    if (PyType_Ready(&DirEntry_Type) < 0 || PyType_Ready(&ScandirIter_Type) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "DirEntry", (PyObject *)&DirEntry_Type) < 0 ||
        PyModule_AddObjectRef(m, "ScandirIterator", (PyObject *)&ScandirIter_Type) < 0)
        return -1;
    return 0;
}
