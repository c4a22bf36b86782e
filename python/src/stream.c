/*
 * stream.c - ntx.Stream: an attribute value as a read-only binary file, a
 * subclass of _io._RawIOBase (as io.FileIO is), registered as an
 * io.RawIOBase. readinto() reads straight into the caller's buffer with
 * the GIL released, so shutil.copyfileobj(), hashlib.file_digest() and
 * io.BufferedReader work on it directly.
 *
 * _io._RawIOBase's instance layout is private to CPython, so the stream's
 * own fields live after it, at an offset taken from the base's
 * __basicsize__ when the module is imported.
 */
#include "ntxpy.h"

#include <string.h>

typedef struct StreamData {
    VolumeObject *vol;
    PyObject *name;       /* the stream's name, '' for the unnamed $DATA */
    uint64_t mft_no;
    uint64_t pos;         /* read position; changed under the volume's lock */
    bool closed;
    uint8_t *small;       /* the whole value, read at open (stream_prefetch), or NULL */
    ntx_stream s;
} StreamData;

static PyTypeObject Stream_Obj;
PyTypeObject *Stream_Type = &Stream_Obj;
static Py_ssize_t data_offset;
static PyObject *empty_name; /* '': the name of most streams */

#define SD(o) ((StreamData *)((char *)(o) + data_offset))

int ntxpy_name_utf16(PyObject *name, uint16_t out[NTX_NAME_MAX], size_t *n)
{
    PyObject *b = PyUnicode_AsEncodedString(name, "utf-16-le", "surrogatepass");
    if (b == NULL)
        return -1;
    Py_ssize_t len = PyBytes_GET_SIZE(b) / 2;
    if (len > (Py_ssize_t)NTX_NAME_MAX) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_ValueError, "a name has at most 255 UTF-16 units");
        return -1;
    }
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(b);
    for (Py_ssize_t i = 0; i < len; i++)
        out[i] = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
    *n = (size_t)len;
    Py_DECREF(b);
    return 0;
}

void stream_prefetch(ntx_stream *s, ntxpy_prefetch *p)
{
    size_t got = 0;
    p->valid = false;
    if (!s->resident || s->wof_algorithm != 0 || s->size > NTXPY_PREFETCH)
        return;
    /* a failure is left for read() to report */
    if (ntx_stream_read(s, 0, p->buf, (size_t)s->size, &got) == NTX_OK && got == s->size) {
        p->len = got;
        p->valid = true;
    }
}

int stream_open_handle(VolumeObject *v, const ntx_file *f, PyObject *name, PyObject *what,
                       bool raw, ntx_stream *out, ntxpy_prefetch *p)
{
    bool named = name != NULL && name != Py_None && PyUnicode_GET_LENGTH(name) > 0;
    PyObject *utf8 = NULL;
    uint16_t u[NTX_NAME_MAX];
    size_t n = 0;
    if (named && raw && ntxpy_name_utf16(name, u, &n) < 0)
        return -1;
    if (named && !raw) {
        utf8 = PyUnicode_AsEncodedString(name, "utf-8", "surrogatepass");
        if (utf8 == NULL)
            return -1;
    }
    VGuard g;
    if (vol_enter(v, &g) < 0) {
        Py_XDECREF(utf8);
        return -1;
    }
    ntx_err rc;
    if (raw)
        rc = ntx_stream_open_raw(out, f, NTX_AT_DATA, n ? u : NULL, n);
    else
        rc = ntx_stream_open_data(out, f, utf8 ? PyBytes_AS_STRING(utf8) : NULL,
                                  utf8 ? (size_t)PyBytes_GET_SIZE(utf8) : 0);
    if (rc != NTX_OK)
        vol_note(&g);
    else if (p != NULL)
        stream_prefetch(out, p);
    vol_leave(&g);
    Py_XDECREF(utf8);
    if (rc == NTX_OK)
        return 0;
    if (what != NULL && what != Py_None) {
        PyObject *w = what;
        if (named && PyUnicode_Check(what))
            w = PyUnicode_FromFormat("%U:%U", what, name);
        else
            Py_INCREF(w);
        if (w == NULL)
            return -1;
        ntxpy_raise_g(rc, &g, NULL, w);
        Py_DECREF(w);
        return -1;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "record %llu", (unsigned long long)f->mft_no);
    if (named) {
        PyObject *w = PyUnicode_FromFormat("%s:%U", buf, name);
        if (w == NULL)
            return -1;
        PyObject *wb = PyUnicode_AsEncodedString(w, "utf-8", "surrogatepass");
        Py_DECREF(w);
        if (wb == NULL)
            return -1;
        ntxpy_raise_g(rc, &g, PyBytes_AS_STRING(wb), NULL);
        Py_DECREF(wb);
        return -1;
    }
    ntxpy_raise_g(rc, &g, buf, NULL);
    return -1;
}

PyObject *stream_new(VolumeObject *v, const ntx_stream *s, uint64_t mft_no, PyObject *name,
                     const ntxpy_prefetch *p)
{
    PyObject *o = Stream_Type->tp_alloc(Stream_Type, 0);
    if (o == NULL)
        return NULL;
    StreamData *d = SD(o);
    d->small = NULL;
    if (p != NULL && p->valid) {
        d->small = PyMem_Malloc(p->len ? p->len : 1);
        if (d->small == NULL) {
            Py_DECREF(o);
            return PyErr_NoMemory();
        }
        memcpy(d->small, p->buf, p->len);
    }
    d->vol = (VolumeObject *)Py_NewRef((PyObject *)v);
    d->name = Py_NewRef(name != NULL ? name : empty_name);
    d->mft_no = mft_no;
    d->pos = 0;
    d->closed = false;
    d->s = *s;
    if (d->name == NULL) {
        Py_DECREF(o);
        return NULL;
    }
    return o;
}

PyObject *stream_open_data(VolumeObject *v, const ntx_file *f, PyObject *name, PyObject *what)
{
    ntx_stream s;
    ntxpy_prefetch p;
    if (stream_open_handle(v, f, name, what, false, &s, &p) < 0)
        return NULL;
    return stream_new(v, &s, f->mft_no, name, &p);
}

static int check_open(StreamData *d)
{
    if (d->closed || d->vol == NULL) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on closed stream");
        return -1;
    }
    return 0;
}

static PyObject *stream_raise(StreamData *d, ntx_err rc, VGuard *g)
{
    char what[96];
    snprintf(what, sizeof what, "record %llu", (unsigned long long)d->mft_no);
    if (PyUnicode_Check(d->name) && PyUnicode_GET_LENGTH(d->name) > 0) {
        PyObject *w = PyUnicode_FromFormat("%s:%U", what, d->name);
        PyObject *wb = w ? PyUnicode_AsEncodedString(w, "utf-8", "surrogatepass") : NULL;
        Py_XDECREF(w);
        if (wb == NULL)
            return NULL;
        ntxpy_raise_g(rc, g, PyBytes_AS_STRING(wb), NULL);
        Py_DECREF(wb);
        return NULL;
    }
    return ntxpy_raise_g(rc, g, what, NULL);
}

/* Read up to len bytes at the position into buf, under the lock; the
 * position advances by what was read. Returns the count, or -1 raised. */
static Py_ssize_t stream_read_into(StreamData *d, char *buf, size_t len)
{
    if (d->small != NULL) { /* read at open: no lock, the GIL kept */
        if (!d->vol->open) { /* as every call on a closed volume */
            PyErr_SetString(PyExc_ValueError, "I/O operation on a closed ntx volume");
            return -1;
        }
        uint64_t n = d->pos >= d->s.size ? 0 : d->s.size - d->pos;
        if (n > len)
            n = len;
        memcpy(buf, d->small + d->pos, (size_t)n);
        d->pos += n;
        return (Py_ssize_t)n;
    }
    VGuard g;
    if (vol_enter(d->vol, &g) < 0)
        return -1;
    uint64_t pos = d->pos;
    size_t done = 0;
    ntx_err rc = NTX_OK;
    while (done < len) { /* bound: every step reads at least one byte, or ends */
        size_t got = 0;
        rc = ntx_stream_read(&d->s, pos + done, buf + done, len - done, &got);
        if (rc != NTX_OK) {
            vol_note(&g);
            break;
        }
        if (got == 0)
            break;
        done += got;
    }
    if (rc == NTX_OK)
        d->pos = pos + done;
    vol_leave(&g);
    if (rc != NTX_OK) {
        stream_raise(d, rc, &g);
        return -1;
    }
    return (Py_ssize_t)done;
}

static PyObject *s_readinto(PyObject *self, PyObject *arg)
{
    StreamData *d = SD(self);
    if (check_open(d) < 0)
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_WRITABLE) < 0)
        return NULL;
    Py_ssize_t n = stream_read_into(d, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    if (n < 0)
        return NULL;
    return PyLong_FromSsize_t(n);
}

static PyObject *read_n(StreamData *d, uint64_t want)
{
    if (want == 0) /* at or past the end: nothing to read */
        return PyBytes_FromStringAndSize(NULL, 0);
    if (want > (uint64_t)PY_SSIZE_T_MAX)
        return PyErr_NoMemory();
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)want);
    if (b == NULL)
        return NULL;
    Py_ssize_t n = stream_read_into(d, PyBytes_AS_STRING(b), (size_t)want);
    if (n < 0) {
        Py_DECREF(b);
        return NULL;
    }
    if ((uint64_t)n < want && _PyBytes_Resize(&b, n) < 0)
        return NULL;
    return b;
}

static PyObject *s_readall(PyObject *self, PyObject *unused)
{
    (void)unused;
    StreamData *d = SD(self);
    if (check_open(d) < 0)
        return NULL;
    uint64_t pos = d->pos;
    return read_n(d, pos >= d->s.size ? 0 : d->s.size - pos);
}

static PyObject *s_read(PyObject *self, PyObject *args)
{
    Py_ssize_t size = -1;
    PyObject *arg = Py_None;
    if (!PyArg_ParseTuple(args, "|O:read", &arg))
        return NULL;
    if (arg != Py_None) {
        size = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
        if (size == -1 && PyErr_Occurred())
            return NULL;
    }
    if (size < 0)
        return s_readall(self, NULL);
    StreamData *d = SD(self);
    if (check_open(d) < 0)
        return NULL;
    uint64_t pos = d->pos;
    uint64_t left = pos >= d->s.size ? 0 : d->s.size - pos;
    return read_n(d, (uint64_t)size < left ? (uint64_t)size : left);
}

static PyObject *s_seek(PyObject *self, PyObject *args)
{
    long long off;
    int whence = 0;
    if (!PyArg_ParseTuple(args, "L|i:seek", &off, &whence))
        return NULL;
    StreamData *d = SD(self);
    if (check_open(d) < 0)
        return NULL;
    VGuard g;
    if (d->small == NULL && vol_enter(d->vol, &g) < 0)
        return NULL;
    long long base = whence == 0 ? 0 : whence == 1 ? (long long)d->pos
                                   : whence == 2 ? (long long)d->s.size : -1;
    bool bad_whence = base < 0;
    long long np = base + off;
    bool bad = !bad_whence && (np < 0 || (off > 0 && np < base));
    if (!bad_whence && !bad)
        d->pos = (uint64_t)np;
    if (d->small == NULL)
        vol_leave(&g);
    if (bad_whence)
        return PyErr_Format(PyExc_ValueError, "invalid whence (%d, should be 0, 1 or 2)", whence);
    if (bad)
        return PyErr_Format(PyExc_ValueError, "negative seek position %lld", np);
    return PyLong_FromLongLong(np);
}

static PyObject *s_tell(PyObject *self, PyObject *unused)
{
    (void)unused;
    StreamData *d = SD(self);
    if (check_open(d) < 0)
        return NULL;
    return PyLong_FromUnsignedLongLong(d->pos);
}

static PyObject *s_true(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(SD(self)) < 0)
        return NULL;
    Py_RETURN_TRUE;
}

static PyObject *s_false(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(SD(self)) < 0)
        return NULL;
    Py_RETURN_FALSE;
}

static PyObject *s_close(PyObject *self, PyObject *unused)
{
    (void)unused;
    StreamData *d = SD(self);
    d->closed = true;
    Py_CLEAR(d->vol);
    Py_RETURN_NONE;
}

/* IOBase's __enter__ and __exit__ look close and closed up by name: these
 * are the same, without the lookups (a file opened and read per entry of a
 * large directory feels them). */
static PyObject *s_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(SD(self)) < 0)
        return NULL;
    return Py_NewRef(self);
}

static PyObject *s_exit(PyObject *self, PyObject *args)
{
    (void)args;
    StreamData *d = SD(self);
    d->closed = true;
    Py_CLEAR(d->vol);
    Py_RETURN_NONE;
}

static PyObject *run_seq(const ntx_run *r)
{
    PyObject *o = PyStructSequence_New(Run_Type);
    if (o == NULL)
        return NULL;
    PyObject *a = PyLong_FromUnsignedLongLong(r->vcn);
    PyObject *b = r->lcn == NTX_LCN_HOLE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(r->lcn);
    PyObject *c = PyLong_FromUnsignedLongLong(r->len);
    if (a == NULL || b == NULL || c == NULL) {
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_XDECREF(c);
        Py_DECREF(o);
        return NULL;
    }
    PyStructSequence_SetItem(o, 0, a);
    PyStructSequence_SetItem(o, 1, b);
    PyStructSequence_SetItem(o, 2, c);
    return o;
}

/* The stream whose clusters hold d's data: d's own, or for a WOF file's
 * data its WofCompressedData (the WOF decoder reads that one). Under the lock. */
static ntx_err runs_stream(StreamData *d, ntx_stream *out)
{
    if (d->s.wof_algorithm == 0) {
        *out = d->s;
        return NTX_OK;
    }
    ntx_file f;
    ntx_err rc = ntx_file_open(&f, &d->vol->vol, d->mft_no, d->s.open_flags & NTX_OPEN_DELETED);
    if (rc == NTX_OK)
        rc = ntx_stream_open_data(out, &f, "WofCompressedData", 17);
    return rc;
}

/* The runs of a non-resident stream, every extent (ntx_stream_map()). */
static PyObject *s_runs(PyObject *self, PyObject *unused)
{
    (void)unused;
    StreamData *d = SD(self);
    if (check_open(d) < 0)
        return NULL;
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    ntx_stream ms;
    bool have = false;
    uint64_t vcn = 0;
    for (;;) { /* bound: vcn grows by each run's length (>= 1) up to vcn_end */
        ntx_run batch[256];
        size_t n = 0;
        VGuard g;
        if (vol_enter(d->vol, &g) < 0) {
            Py_DECREF(list);
            return NULL;
        }
        ntx_err rc = NTX_OK;
        if (!have) {
            rc = runs_stream(d, &ms);
            have = rc == NTX_OK;
        }
        while (rc == NTX_OK && !ms.resident && n < 256 && vcn < ms.vcn_end) {
            rc = ntx_stream_map(&ms, vcn, &batch[n]);
            if (rc != NTX_OK)
                break;
            if (batch[n].len == 0 || batch[n].vcn + batch[n].len <= vcn) {
                rc = NTX_E_CORRUPT; /* a run that does not advance */
                break;
            }
            vcn = batch[n].vcn + batch[n].len;
            n++;
        }
        if (rc != NTX_OK)
            vol_note(&g);
        vol_leave(&g);
        if (rc != NTX_OK) {
            Py_DECREF(list);
            return stream_raise(d, rc, &g);
        }
        for (size_t i = 0; i < n; i++) {
            PyObject *o = run_seq(&batch[i]);
            if (o == NULL || PyList_Append(list, o) < 0) {
                Py_XDECREF(o);
                Py_DECREF(list);
                return NULL;
            }
            Py_DECREF(o);
        }
        if (ms.resident || vcn >= ms.vcn_end || n == 0)
            return list;
    }
}

enum { T_CLOSED, T_NAME, T_SIZE, T_TYPE, T_RESIDENT, T_FLAGS, T_ALLOC, T_INIT, T_RECORD,
       T_MODE, T_COMPRESSED, T_SPARSE, T_ENCRYPTED, T_WOF };

static PyObject *s_get(PyObject *self, void *closure)
{
    StreamData *d = SD(self);
    const ntx_stream *s = &d->s;
    switch ((int)(intptr_t)closure) {
    case T_CLOSED: return PyBool_FromLong(d->closed);
    case T_NAME: return Py_NewRef(d->name);
    case T_SIZE: return PyLong_FromUnsignedLongLong(s->size);
    case T_TYPE: return PyLong_FromUnsignedLong(s->type);
    case T_RESIDENT: return PyBool_FromLong(s->resident);
    case T_FLAGS: return PyLong_FromLong(s->flags);
    case T_ALLOC: return PyLong_FromUnsignedLongLong(s->resident ? s->size : s->alloc_size);
    case T_INIT: return PyLong_FromUnsignedLongLong(s->resident ? s->size : s->init_size);
    case T_RECORD: return PyLong_FromUnsignedLongLong(d->mft_no);
    case T_MODE: return PyUnicode_FromString("rb");
    case T_COMPRESSED: return PyBool_FromLong((s->flags & NTX_ATTR_FLAG_COMPRESSED) != 0);
    case T_SPARSE: return PyBool_FromLong((s->flags & NTX_ATTR_FLAG_SPARSE) != 0);
    case T_ENCRYPTED: return PyBool_FromLong((s->flags & NTX_ATTR_FLAG_ENCRYPTED) != 0);
    case T_WOF:
        if (s->wof_algorithm == 0)
            Py_RETURN_NONE;
        return PyUnicode_FromString(ntxpy_wof_name(s->wof_algorithm - 1u));
    default: break;
    }
    PyErr_SetString(PyExc_SystemError, "bad Stream field");
    return NULL;
}

#define TG(name, id, doc) { name, s_get, NULL, doc, (void *)(intptr_t)(id) }
static PyGetSetDef stream_getset[] = {
    TG("closed", T_CLOSED, "True after close()"),
    TG("name", T_NAME, "the stream's name, '' for the unnamed $DATA"),
    TG("size", T_SIZE, "bytes in the stream (a WOF file's: uncompressed)"),
    TG("type", T_TYPE, "attribute type (AT_DATA...)"),
    TG("resident", T_RESIDENT, "the value is in the MFT record"),
    TG("flags", T_FLAGS, "ATTR_FLAG_* of its first extent"),
    TG("allocated_size", T_ALLOC, "bytes allocated"),
    TG("initialized_size", T_INIT, "initialized bytes: the rest reads as zeros"),
    TG("record", T_RECORD, "the file's MFT record"),
    TG("mode", T_MODE, "'rb'"),
    TG("compressed", T_COMPRESSED, "LZNT1-compressed"),
    TG("sparse", T_SPARSE, "sparse"),
    TG("encrypted", T_ENCRYPTED, "EFS-encrypted"),
    TG("wof_algorithm", T_WOF, "the WOF algorithm of a WOF file's data, else None"),
    { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef stream_methods[] = {
    { "readinto", s_readinto, METH_O,
      "readinto(b) -> int\n\nRead into a writable buffer, straight from the image (the GIL is "
      "released); 0 at the end." },
    { "read", s_read, METH_VARARGS, "read(size=-1) -> bytes" },
    { "readall", s_readall, METH_NOARGS, "readall() -> bytes" },
    { "seek", s_seek, METH_VARARGS, "seek(offset, whence=0) -> int" },
    { "tell", s_tell, METH_NOARGS, "tell() -> int" },
    { "readable", s_true, METH_NOARGS, "True" },
    { "seekable", s_true, METH_NOARGS, "True" },
    { "writable", s_false, METH_NOARGS, "False" },
    { "close", s_close, METH_NOARGS, "close()" },
    { "__enter__", s_enter, METH_NOARGS, NULL },
    { "__exit__", s_exit, METH_VARARGS, NULL },
    { "runs", s_runs, METH_NOARGS,
      "runs() -> list[Run]\n\nThe runs of a non-resident stream across every extent (WOF: of "
      "WofCompressedData), [] when resident." },
    { NULL, NULL, 0, NULL },
};

static PyObject *stream_repr(PyObject *self)
{
    StreamData *d = SD(self);
    return PyUnicode_FromFormat("<ntx.Stream record %llu %R size %llu%s>",
                                (unsigned long long)d->mft_no, d->name,
                                (unsigned long long)d->s.size, d->closed ? " closed" : "");
}

static int stream_traverse(PyObject *self, visitproc visit, void *arg)
{
    StreamData *d = SD(self);
    Py_VISIT(d->vol);
    Py_VISIT(d->name);
    return Stream_Obj.tp_base->tp_traverse(self, visit, arg);
}

static int stream_clear(PyObject *self)
{
    StreamData *d = SD(self);
    Py_CLEAR(d->vol);
    Py_CLEAR(d->name);
    return Stream_Obj.tp_base->tp_clear(self);
}

/* IOBase's finalizer looks closed up by name and calls close(): ours has
 * nothing to flush, and the dealloc below drops what close() would. */
static void stream_finalize(PyObject *self)
{
    SD(self)->closed = true;
}

static void stream_dealloc(PyObject *self)
{
    /* IOBase's finalizer calls close() (ours) first, as for io.FileIO */
    if (PyObject_CallFinalizerFromDealloc(self) < 0)
        return;
    StreamData *d = SD(self);
    Py_CLEAR(d->vol);
    Py_CLEAR(d->name);
    PyMem_Free(d->small);
    d->small = NULL;
    Stream_Obj.tp_base->tp_dealloc(self);
}

static PyTypeObject Stream_Obj = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.Stream",
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .tp_doc = "A read-only binary stream over an attribute value (File.open_stream()): an "
              "io.RawIOBase. Sparse runs and bytes past the initialized size read as zeros, "
              "LZNT1 and WOF data uncompressed.",
    .tp_dealloc = stream_dealloc,
    .tp_finalize = stream_finalize,
    .tp_traverse = stream_traverse,
    .tp_clear = stream_clear,
    .tp_repr = stream_repr,
    .tp_methods = stream_methods,
    .tp_getset = stream_getset,
};

int ntxpy_init_stream(PyObject *m)
{
    empty_name = PyUnicode_FromString("");
    if (empty_name == NULL)
        return -1;
    PyObject *io_mod = PyImport_ImportModule("_io");
    if (io_mod == NULL)
        return -1;
    PyObject *base = PyObject_GetAttrString(io_mod, "_RawIOBase");
    Py_DECREF(io_mod);
    if (base == NULL)
        return -1;
    if (!PyType_Check(base)) {
        Py_DECREF(base);
        PyErr_SetString(PyExc_TypeError, "_io._RawIOBase is not a type");
        return -1;
    }
    PyTypeObject *bt = (PyTypeObject *)base;
    /* our fields after the base's, aligned for 64-bit members */
    data_offset = (bt->tp_basicsize + 15) & ~(Py_ssize_t)15;
    Stream_Obj.tp_base = bt; /* keeps the reference */
    Stream_Obj.tp_basicsize = data_offset + (Py_ssize_t)sizeof(StreamData);
    if (PyType_Ready(&Stream_Obj) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "Stream", (PyObject *)&Stream_Obj) < 0)
        return -1;
    /* isinstance(stream, io.RawIOBase), as io registers FileIO */
    PyObject *io = PyImport_ImportModule("io");
    if (io == NULL)
        return -1;
    PyObject *raw = PyObject_GetAttrString(io, "RawIOBase");
    Py_DECREF(io);
    if (raw == NULL)
        return -1;
    PyObject *res = PyObject_CallMethod(raw, "register", "O", (PyObject *)&Stream_Obj);
    Py_DECREF(raw);
    if (res == NULL)
        return -1;
    Py_DECREF(res);
    return 0;
}
