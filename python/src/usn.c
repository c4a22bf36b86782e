/*
 * usn.c - Volume.usn(): the change journal ($Extend/$UsnJrnl:$J, or any
 * stream of USN records) as ntx.UsnRecord rows, decoded by ntx_usn_next(),
 * which skips the journal's sparse head by its runs. A record that cannot
 * be is skipped 8 bytes at a time (its offset listed in the iterator's
 * skipped), or raised with strict=True.
 */
#include "ntxpy.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 128u
#define STEPS 4096u           /* records and skips per hold of the lock */
#define BUF_SIZE 65536u

PyTypeObject *UsnRecord_Type;

typedef struct UsnIterObject {
    PyObject_HEAD
    VolumeObject *vol;
    ntx_stream s;
    uint64_t pos;
    PyObject *what;
    PyObject *skipped;        /* offsets of records that could not be */
    bool strict, done;
    ntx_err err;              /* raised once the records before it are delivered */
    VGuard errg;
    uint8_t *buf;
    ntx_usn_record *batch;
    uint64_t *offsets;        /* where each record of the batch starts */
    uint64_t *skips;
    unsigned nbatch, next, nskips;
} UsnIterObject;

static PyObject *reason_names(uint32_t r)
{
    PyObject *t = PyList_New(0);
    if (t == NULL)
        return NULL;
    uint32_t left = r;
    for (unsigned k = 0; k < 32; k++) {
        const char *name = ntx_usn_reason_name(r & (1u << k));
        if (name == NULL)
            continue;
        left &= ~(1u << k);
        PyObject *s = PyUnicode_FromString(name);
        if (s == NULL || PyList_Append(t, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(t);
            return NULL;
        }
        Py_DECREF(s);
    }
    if (left != 0) { /* bits no name is known for, as one hex item */
        PyObject *s = PyUnicode_FromFormat("0x%08x", left);
        if (s == NULL || PyList_Append(t, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(t);
            return NULL;
        }
        Py_DECREF(s);
    }
    PyObject *tuple = PyList_AsTuple(t);
    Py_DECREF(t);
    return tuple;
}

PyObject *usn_iter_new(VolumeObject *v, const ntx_stream *s, PyObject *what, bool strict)
{
    UsnIterObject *it = PyObject_New(UsnIterObject, &UsnIter_Type);
    if (it == NULL)
        return NULL;
    it->vol = (VolumeObject *)Py_NewRef((PyObject *)v);
    it->s = *s;
    it->pos = 0;
    it->what = Py_NewRef(what);
    it->skipped = PyList_New(0);
    it->strict = strict;
    it->done = false;
    it->err = NTX_OK;
    it->errg.exc = NULL;
    it->buf = malloc(BUF_SIZE);
    it->batch = malloc(BATCH * sizeof *it->batch);
    it->offsets = malloc(BATCH * sizeof *it->offsets);
    it->skips = malloc(STEPS * sizeof *it->skips);
    it->nbatch = it->next = it->nskips = 0;
    if (it->skipped == NULL || it->buf == NULL || it->batch == NULL || it->offsets == NULL ||
        it->skips == NULL) {
        Py_DECREF(it);
        return PyErr_NoMemory();
    }
    return (PyObject *)it;
}

static int usn_fill(UsnIterObject *it)
{
    VGuard g;
    if (vol_enter(it->vol, &g) < 0)
        return -1;
    unsigned n = 0, skips = 0;
    ntx_err rc = NTX_OK;
    for (unsigned steps = 0; n < BATCH && steps < STEPS; steps++) { /* bound: STEPS */
        rc = ntx_usn_next(&it->s, &it->pos, it->buf, BUF_SIZE, &it->batch[n]);
        if (rc == NTX_OK) {
            /* the position is past the record, which is length bytes long */
            it->offsets[n] = it->pos - it->batch[n].length;
            n++;
            continue;
        }
        if (rc == NTX_E_CORRUPT && it->vol->vol.diag.check == NTX_CHK_USN_RECORD &&
            !it->strict) {
            it->skips[skips++] = it->pos; /* a record that cannot be: resume 8 bytes on */
            it->pos += 8;
            rc = NTX_OK;
            continue;
        }
        break;
    }
    if (rc != NTX_OK && rc != NTX_END)
        vol_note(&g);
    vol_leave(&g);
    it->nbatch = n;
    it->next = 0;
    it->nskips = skips;
    for (unsigned i = 0; i < skips; i++) {
        PyObject *o = PyLong_FromUnsignedLongLong(it->skips[i]);
        if (o == NULL || PyList_Append(it->skipped, o) < 0) {
            Py_XDECREF(o);
            Py_CLEAR(g.exc);
            return -1;
        }
        Py_DECREF(o);
    }
    if (rc == NTX_END) {
        it->done = true;
    } else if (rc != NTX_OK) {
        it->done = true;
        it->err = rc;
        it->errg = g;
    }
    return 0;
}

static PyObject *usn_row(const ntx_usn_record *r, uint64_t offset)
{
    PyObject *items[] = {
        PyLong_FromUnsignedLongLong(r->usn),
        ntxpy_datetime(r->time),
        PyLong_FromUnsignedLongLong(r->time),
        PyLong_FromUnsignedLongLong(r->file_ref),
        PyLong_FromUnsignedLongLong(NTX_REF_MFT(r->file_ref)),
        PyLong_FromLong(NTX_REF_SEQ(r->file_ref)),
        PyLong_FromUnsignedLongLong(r->parent_ref),
        PyLong_FromUnsignedLongLong(NTX_REF_MFT(r->parent_ref)),
        PyLong_FromLong(NTX_REF_SEQ(r->parent_ref)),
        PyLong_FromUnsignedLong(r->reason),
        reason_names(r->reason),
        PyLong_FromUnsignedLong(r->file_attrs),
        PyLong_FromUnsignedLong(r->source_info),
        PyLong_FromUnsignedLong(r->security_id),
        PyLong_FromLong(r->major),
        PyLong_FromLong(r->minor),
        ntxpy_name(r->name, r->name_len, false),
        PyLong_FromUnsignedLongLong(offset),
    };
    const Py_ssize_t n = (Py_ssize_t)(sizeof items / sizeof items[0]);
    PyObject *o = PyStructSequence_New(UsnRecord_Type);
    bool ok = o != NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (items[i] == NULL || !ok) {
            ok = false;
            Py_XDECREF(items[i]);
        } else {
            PyStructSequence_SetItem(o, i, items[i]);
        }
    }
    if (!ok) {
        Py_XDECREF(o);
        return NULL;
    }
    return o;
}

static PyObject *usn_next(PyObject *self)
{
    UsnIterObject *it = (UsnIterObject *)self;
    for (;;) { /* bound: each fill moves the position on, or ends the stream */
        if (it->next < it->nbatch) {
            unsigned k = it->next++;
            return usn_row(&it->batch[k], it->offsets[k]);
        }
        if (it->err != NTX_OK) {
            ntx_err rc = it->err;
            it->err = NTX_OK;
            VGuard g = it->errg;
            it->errg.exc = NULL;
            PyObject *wb = PyUnicode_AsEncodedString(it->what, "utf-8", "surrogatepass");
            if (wb == NULL) {
                Py_CLEAR(g.exc);
                return NULL;
            }
            ntxpy_raise_g(rc, &g, PyBytes_AS_STRING(wb), NULL);
            Py_DECREF(wb);
            return NULL;
        }
        if (it->done || it->vol == NULL)
            return NULL;
        if (usn_fill(it) < 0)
            return NULL;
    }
}

static int usn_clear(PyObject *self)
{
    UsnIterObject *it = (UsnIterObject *)self;
    Py_CLEAR(it->vol);
    Py_CLEAR(it->what);
    Py_CLEAR(it->skipped);
    Py_CLEAR(it->errg.exc);
    return 0;
}

static void usn_dealloc(PyObject *self)
{
    UsnIterObject *it = (UsnIterObject *)self;
    usn_clear(self);
    free(it->buf);
    free(it->batch);
    free(it->offsets);
    free(it->skips);
    PyObject_Free(self);
}

static PyObject *usn_get_skipped(PyObject *self, void *closure)
{
    (void)closure;
    UsnIterObject *it = (UsnIterObject *)self;
    return Py_NewRef(it->skipped ? it->skipped : Py_None);
}

static PyObject *usn_get_size(PyObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromUnsignedLongLong(((UsnIterObject *)self)->s.size);
}

static PyGetSetDef usn_getset[] = {
    { "skipped", usn_get_skipped, NULL,
      "byte offsets where a record could not be (each skipped 8 bytes at a time)", NULL },
    { "size", usn_get_size, NULL, "bytes in the journal stream (most of it sparse)", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject UsnIter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.UsnIterator",
    .tp_basicsize = sizeof(UsnIterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Iterator of UsnRecord (Volume.usn()).",
    .tp_dealloc = usn_dealloc,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = usn_next,
    .tp_getset = usn_getset,
};

int ntxpy_init_usn(PyObject *m)
{
    static PyStructSequence_Field fields[] = {
        { "usn", "update sequence number (the record's offset in the journal)" },
        { "time", "datetime (UTC), None past 9999" },
        { "timestamp", "the time as an NT FILETIME int" },
        { "reference", "the file, record | sequence << 48 (low 64 bits of a v3 id)" },
        { "record", "its record number" },
        { "sequence", "its sequence number" },
        { "parent_reference", "the directory" },
        { "parent_record", "its record number" },
        { "parent_sequence", "its sequence number" },
        { "reason", "USN_REASON_* bits" },
        { "reasons", "their names ('FILE_CREATE', ..., unknown bits as hex)" },
        { "file_attributes", "FILE_ATTRIBUTE_*" },
        { "source_info", "USN_SOURCE_*" },
        { "security_id", "security id" },
        { "major", "record version: 2 or 3" },
        { "minor", "minor version" },
        { "name", "the file name" },
        { "offset", "byte offset of the record in the stream" },
        { NULL, NULL },
    };
    static PyStructSequence_Desc desc = {
        "ntx.UsnRecord", "A change journal record (Volume.usn()).", fields, 18,
    };
    UsnRecord_Type = PyStructSequence_NewType(&desc);
    if (UsnRecord_Type == NULL || PyType_Ready(&UsnIter_Type) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "UsnRecord", (PyObject *)UsnRecord_Type) < 0 ||
        PyModule_AddObjectRef(m, "UsnIterator", (PyObject *)&UsnIter_Type) < 0)
        return -1;
    return 0;
}
