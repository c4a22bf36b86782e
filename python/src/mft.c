/*
 * mft.c - Volume.mft(): every MFT record as an ntx.MftRecord, deleted
 * ones, extension records, records never used and unreadable ones
 * included.
 *
 * Records are read a batch at a time with the GIL released (the header
 * through ntx_record_get_info(), a base record's attributes through
 * ntx_attr_iter_next() and ntx_attr_read(), the values through the
 * ntx_*_parse() parsers); a row keeps plain C values and makes Python
 * objects only for what is asked. Paths are rebuilt on demand from the
 * $FILE_NAME parent references, reading the parent directories' records
 * (memoised by the iterator): a name's directory is accepted when it is a
 * directory base record with the same sequence number, or one freed after
 * its child (sequence number one higher, as NTFS increments it on free);
 * otherwise the name goes under "/$OrphanFiles", as The Sleuth Kit shows
 * it, and a record without a name is "/$OrphanFiles/OrphanFile-N".
 */
#include "ntxpy.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 256u
#define MAX_HOPS 4096u
#define ORPHAN_DIR "/$OrphanFiles"

PyTypeObject *RecordStream_Type;

enum { REC_UNUSED = 0, REC_BASE, REC_EXT, REC_BAD, REC_EMPTY };

typedef struct rname {
    uint64_t parent_ref;
    uint64_t times[4];
    uint64_t alloc_size, data_size;
    uint32_t file_attrs, reparse_tag;
    uint32_t value_len;
    uint32_t units_off;       /* UTF-16 name in the units arena */
    uint16_t attr_id;
    uint8_t ns, name_len;
    bool in_base;
    bool is_dir;
} rname;

typedef struct rstream {
    uint64_t size, alloc_size;
    uint32_t type;
    uint32_t units_off;
    uint16_t attr_id, flags;
    uint8_t name_len;
    bool resident;
} rstream;

typedef struct rscan {
    uint64_t rec, lsn, base_ref, data_size, usn;
    uint64_t si_times[4];
    uint32_t dos_attrs, owner_id, security_id;
    uint16_t flags, seq, link_count;
    uint8_t state;
    bool has_si, has_data;
    uint32_t nattrs;
    uint32_t first_name, nnames, first_stream, nstreams;
    ntx_err err;
    ntx_diag diag;
} rscan;

/* Growable arrays filled without the GIL (malloc/realloc only). */
typedef struct arena {
    rname *names;
    size_t nnames, names_cap;
    rstream *streams;
    size_t nstreams, streams_cap;
    uint16_t *units;
    size_t nunits, units_cap;
} arena;

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (q == NULL)
        return false;
    *p = q;
    *cap = c;
    return true;
}

static bool arena_units(arena *a, const uint16_t *u, size_t n, uint32_t *off)
{
    if (!grow((void **)&a->units, &a->units_cap, a->nunits + n + 1, sizeof *a->units))
        return false;
    *off = (uint32_t)a->nunits;
    memcpy(a->units + a->nunits, u, n * sizeof *u);
    a->nunits += n;
    return true;
}

/* Read record n into *r (names and streams into a); under the lock. Returns
 * false only when memory ran out. */
static bool scan_record(ntx_volume *vol, uint64_t n, rscan *r, arena *a, uint8_t *buf)
{
    memset(r, 0, sizeof *r);
    r->rec = n;
    r->first_name = (uint32_t)a->nnames;
    r->first_stream = (uint32_t)a->nstreams;
    ntx_record_info ri;
    ntx_err rc = ntx_record_get_info(vol, n, &ri);
    if (rc == NTX_E_CORRUPT && vol->diag.check == NTX_CHK_RECORD_MAGIC) {
        r->state = REC_UNUSED; /* never used: no "FILE" magic */
        return true;
    }
    if (rc != NTX_OK) {
        r->state = REC_BAD;
        r->err = rc;
        r->diag = vol->diag;
        return true;
    }
    r->flags = ri.flags;
    r->seq = ri.seq;
    r->link_count = ri.link_count;
    r->lsn = ri.lsn;
    if (ri.base_ref != 0) {
        r->state = REC_EXT;
        r->base_ref = ri.base_ref;
        return true;
    }
    r->state = REC_BASE;
    ntx_file f;
    rc = ntx_file_open(&f, vol, n, NTX_OPEN_DELETED);
    if (rc != NTX_OK) {
        r->state = REC_BAD;
        r->err = rc;
        r->diag = vol->diag;
        return true;
    }
    ntx_attr_iter it;
    ntx_attr_info ai;
    rc = ntx_attr_iter_open(&it, &f);
    while (rc == NTX_OK && (rc = ntx_attr_iter_next(&it, &ai)) == NTX_OK) {
        size_t got = 0;
        r->nattrs++;
        if (ai.type == NTX_AT_STANDARD_INFORMATION && ai.resident && !r->has_si) {
            ntx_std_info si;
            if (ntx_attr_read(&f, &ai, 0, buf, 1024, &got) == NTX_OK &&
                ntx_std_info_parse(buf, got, &si) == NTX_OK) {
                memcpy(r->si_times, si.times, sizeof r->si_times);
                r->dos_attrs = si.file_attrs;
                r->owner_id = si.v3 ? si.owner_id : 0;
                r->security_id = si.v3 ? si.security_id : 0;
                r->usn = si.v3 ? si.usn : 0;
                r->has_si = true;
            }
        } else if (ai.type == NTX_AT_FILE_NAME && ai.resident) {
            ntx_dirent de;
            if (ntx_attr_read(&f, &ai, 0, buf, 1024, &got) != NTX_OK ||
                ntx_file_name_parse(buf, got, &de) != NTX_OK)
                continue; /* a damaged name: the record is still listed */
            if (!grow((void **)&a->names, &a->names_cap, a->nnames + 1, sizeof *a->names))
                return false;
            rname *nm = &a->names[a->nnames];
            if (!arena_units(a, de.name, de.name_len, &nm->units_off))
                return false;
            a->nnames++;
            nm->parent_ref = de.parent_ref;
            memcpy(nm->times, de.times, sizeof nm->times);
            nm->alloc_size = de.alloc_size;
            nm->data_size = de.data_size;
            nm->file_attrs = de.file_attrs;
            nm->reparse_tag = de.reparse_tag;
            nm->value_len = (uint32_t)ai.size;
            nm->attr_id = ai.instance;
            nm->ns = de.name_space;
            nm->name_len = de.name_len;
            nm->in_base = ai.rec_no == n;
            nm->is_dir = de.is_dir;
            r->nnames++;
        } else if ((ai.type == NTX_AT_DATA || ai.type == NTX_AT_INDEX_ROOT) &&
                   (ai.resident || ai.lowest_vcn == 0)) {
            if (ai.type == NTX_AT_DATA && ai.name_len == 0) {
                r->data_size = ai.size;
                r->has_data = true;
            }
            if (!grow((void **)&a->streams, &a->streams_cap, a->nstreams + 1,
                      sizeof *a->streams))
                return false;
            rstream *st = &a->streams[a->nstreams];
            if (!arena_units(a, ai.name, ai.name_len, &st->units_off))
                return false;
            a->nstreams++;
            st->size = ai.size;
            st->alloc_size = ai.resident ? ai.size : ai.alloc_size;
            st->type = ai.type;
            st->attr_id = ai.instance;
            st->flags = ai.flags;
            st->name_len = ai.name_len;
            st->resident = ai.resident;
            r->nstreams++;
        }
    }
    if (rc != NTX_END) {
        r->err = rc; /* what was read before the failure is kept */
        r->diag = vol->diag;
    }
    /* never used, as `ntx mft` counts it */
    if (r->err == NTX_OK && ntx_record_never_used(&ri, r->nattrs, r->nnames))
        r->state = REC_EMPTY;
    return true;
}

/* ---- the iterator ---- */

typedef struct MftIterObject {
    PyObject_HEAD
    VolumeObject *vol;
    uint64_t next, stop;
    rscan *batch;
    unsigned nbatch, ibatch;
    arena a;
    uint8_t *buf;            /* one attribute value */
    PyObject *info;          /* record -> (seq, flags, state, parent_ref|None, name|None) */
    PyObject *paths;         /* directory record -> (path, orphan) */
} MftIterObject;

typedef struct MftRecordObject {
    PyObject_HEAD
    MftIterObject *iter;     /* for paths (and the volume) */
    rscan r;
    rname *names;            /* r.nnames, units_off relative to units */
    rstream *streams;
    uint16_t *units;
    int prim;                /* names index of the name paths use, -1 if none */
    PyObject *path;          /* cached */
    PyObject *paths;
    bool orphan;
} MftRecordObject;

PyObject *mft_iter_new(VolumeObject *v, uint64_t start, uint64_t stop)
{
    if (!v->open) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on a closed ntx volume");
        return NULL;
    }
    MftIterObject *it = PyObject_New(MftIterObject, &MftIter_Type);
    if (it == NULL)
        return NULL;
    it->vol = (VolumeObject *)Py_NewRef((PyObject *)v);
    it->next = start;
    it->stop = stop < v->vol.mft_records ? stop : v->vol.mft_records;
    it->batch = malloc(BATCH * sizeof *it->batch);
    it->nbatch = it->ibatch = 0;
    memset(&it->a, 0, sizeof it->a);
    it->buf = malloc(4096);
    it->info = PyDict_New();
    it->paths = PyDict_New();
    if (it->batch == NULL || it->buf == NULL || it->info == NULL || it->paths == NULL) {
        Py_DECREF(it);
        return PyErr_NoMemory();
    }
    return (PyObject *)it;
}

static int mft_fill(MftIterObject *it)
{
    VGuard g;
    if (vol_enter(it->vol, &g) < 0)
        return -1;
    it->a.nnames = it->a.nstreams = it->a.nunits = 0;
    unsigned n = 0;
    bool ok = true;
    while (n < BATCH && it->next < it->stop) { /* bound: BATCH records */
        ok = scan_record(&it->vol->vol, it->next, &it->batch[n], &it->a, it->buf);
        if (!ok)
            break;
        it->next++;
        n++;
    }
    /* a failure callback exception (file objects) is not kept per record */
    vol_note(&g);
    vol_leave(&g);
    Py_CLEAR(g.exc);
    it->nbatch = n;
    it->ibatch = 0;
    if (!ok) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static PyObject *record_new(MftIterObject *it, const rscan *r)
{
    MftRecordObject *o = PyObject_New(MftRecordObject, &MftRecord_Type);
    if (o == NULL)
        return NULL;
    o->iter = (MftIterObject *)Py_NewRef((PyObject *)it);
    o->r = *r;
    o->names = NULL;
    o->streams = NULL;
    o->units = NULL;
    o->path = NULL;
    o->paths = NULL;
    o->orphan = false;
    o->prim = -1;
    size_t units = 0;
    for (uint32_t i = 0; i < r->nnames; i++)
        units += it->a.names[r->first_name + i].name_len;
    for (uint32_t i = 0; i < r->nstreams; i++)
        units += it->a.streams[r->first_stream + i].name_len;
    if (r->nnames || r->nstreams) {
        /* one block: names, streams, then their UTF-16 units */
        size_t bytes = r->nnames * sizeof(rname) + r->nstreams * sizeof(rstream) +
                       (units + 1) * sizeof(uint16_t);
        char *blk = malloc(bytes);
        if (blk == NULL) {
            Py_DECREF(o);
            return PyErr_NoMemory();
        }
        o->names = (rname *)blk;
        o->streams = (rstream *)(blk + r->nnames * sizeof(rname));
        o->units = (uint16_t *)(blk + r->nnames * sizeof(rname) + r->nstreams * sizeof(rstream));
        uint32_t u = 0;
        for (uint32_t i = 0; i < r->nnames; i++) {
            rname nm = it->a.names[r->first_name + i];
            memcpy(o->units + u, it->a.units + nm.units_off, nm.name_len * sizeof(uint16_t));
            nm.units_off = u;
            u += nm.name_len;
            o->names[i] = nm;
            if (o->prim < 0 && nm.ns != NTX_NS_DOS)
                o->prim = (int)i;
        }
        for (uint32_t i = 0; i < r->nstreams; i++) {
            rstream st = it->a.streams[r->first_stream + i];
            memcpy(o->units + u, it->a.units + st.units_off, st.name_len * sizeof(uint16_t));
            st.units_off = u;
            u += st.name_len;
            o->streams[i] = st;
        }
        if (o->prim < 0 && r->nnames > 0)
            o->prim = 0;
    }
    return (PyObject *)o;
}

static PyObject *mft_next(PyObject *self)
{
    MftIterObject *it = (MftIterObject *)self;
    if (it->ibatch == it->nbatch) {
        if (it->next >= it->stop)
            return NULL;
        if (mft_fill(it) < 0)
            return NULL;
        if (it->nbatch == 0)
            return NULL;
    }
    return record_new(it, &it->batch[it->ibatch++]);
}

/* ---- paths ---- */

/* (seq, flags, state, parent_ref or None, name or None) of record n: its
 * header and its primary name (the first that is not a DOS alias). */
static PyObject *dir_info(MftIterObject *it, uint64_t n)
{
    PyObject *key = PyLong_FromUnsignedLongLong(n);
    if (key == NULL)
        return NULL;
    PyObject *v = PyDict_GetItemWithError(it->info, key);
    if (v != NULL || PyErr_Occurred()) {
        Py_DECREF(key);
        return v ? Py_NewRef(v) : NULL;
    }
    VGuard g;
    if (vol_enter(it->vol, &g) < 0) {
        Py_DECREF(key);
        return NULL;
    }
    arena a;
    memset(&a, 0, sizeof a);
    rscan r;
    bool ok = n < it->vol->vol.mft_records && scan_record(&it->vol->vol, n, &r, &a, it->buf);
    vol_leave(&g);
    Py_CLEAR(g.exc);
    PyObject *res = NULL;
    if (!ok) {
        res = Py_BuildValue("(iiiOO)", 0, 0, REC_BAD, Py_None, Py_None);
    } else {
        int prim = -1;
        for (uint32_t i = 0; i < r.nnames; i++)
            if (a.names[i].ns != NTX_NS_DOS) {
                prim = (int)i;
                break;
            }
        if (prim < 0 && r.nnames > 0)
            prim = 0;
        if (prim >= 0) {
            const rname *nm = &a.names[prim];
            PyObject *name = ntxpy_name(a.units + nm->units_off, nm->name_len, false);
            if (name != NULL)
                res = Py_BuildValue("(iiiKN)", r.seq, r.flags, r.state,
                                    (unsigned long long)nm->parent_ref, name);
        } else {
            res = Py_BuildValue("(iiiOO)", r.seq, r.flags, r.state, Py_None, Py_None);
        }
    }
    free(a.names);
    free(a.streams);
    free(a.units);
    if (res == NULL || PyDict_SetItem(it->info, key, res) < 0) {
        Py_XDECREF(res);
        Py_DECREF(key);
        return NULL;
    }
    Py_DECREF(key);
    return res;
}

/* Whether ref names a directory that can hold a name: 1 (with *out), 0, -1. */
static int parent_ok(MftIterObject *it, uint64_t ref, uint64_t *out)
{
    uint64_t pn = NTX_REF_MFT(ref);
    if (pn >= it->vol->vol.mft_records)
        return 0;
    PyObject *info = dir_info(it, pn);
    if (info == NULL)
        return -1;
    long seq = PyLong_AsLong(PyTuple_GET_ITEM(info, 0));
    long flags = PyLong_AsLong(PyTuple_GET_ITEM(info, 1));
    long state = PyLong_AsLong(PyTuple_GET_ITEM(info, 2));
    Py_DECREF(info);
    if (state != REC_BASE || !(flags & NTX_REC_DIRECTORY))
        return 0;
    uint16_t want = NTX_REF_SEQ(ref);
    if (want != 0 && (uint16_t)seq != want &&
        !(!(flags & NTX_REC_IN_USE) && (uint16_t)seq == (uint16_t)(want + 1u)))
        return 0;
    *out = pn;
    return 1;
}

/* (path, orphan) of directory record d, a valid parent. */
static PyObject *dir_path(MftIterObject *it, uint64_t d)
{
    PyObject *chain = PyList_New(0);   /* [(record, name)] walked up */
    PyObject *seen = PySet_New(NULL);
    PyObject *base = NULL;
    if (chain == NULL || seen == NULL)
        goto fail;
    uint64_t cur = d;
    for (unsigned hops = 0;; hops++) { /* bound: MAX_HOPS, and a record met twice ends it */
        PyObject *key = PyLong_FromUnsignedLongLong(cur);
        if (key == NULL)
            goto fail;
        PyObject *memo = PyDict_GetItemWithError(it->paths, key);
        if (memo != NULL) {
            base = Py_NewRef(memo);
            Py_DECREF(key);
            break;
        }
        if (PyErr_Occurred()) {
            Py_DECREF(key);
            goto fail;
        }
        if (cur == NTX_MFT_ROOT) {
            base = Py_BuildValue("(sO)", "", Py_False);
            if (base == NULL || PyDict_SetItem(it->paths, key, base) < 0) {
                Py_DECREF(key);
                goto fail;
            }
            Py_DECREF(key);
            break;
        }
        int again = PySet_Contains(seen, key);
        if (again < 0 || (!again && PySet_Add(seen, key) < 0)) {
            Py_DECREF(key);
            goto fail;
        }
        if (again || hops >= MAX_HOPS) {
            Py_DECREF(key);
            base = Py_BuildValue("(sO)", ORPHAN_DIR, Py_True);
            break;
        }
        PyObject *info = dir_info(it, cur);
        if (info == NULL) {
            Py_DECREF(key);
            goto fail;
        }
        PyObject *name = PyTuple_GET_ITEM(info, 4);
        PyObject *pref = PyTuple_GET_ITEM(info, 3);
        if (name == Py_None) { /* nameless: the chain ends here, as TSK shows it */
            base = Py_BuildValue("(NO)",
                                 PyUnicode_FromFormat(ORPHAN_DIR "/OrphanFile-%llu",
                                                      (unsigned long long)cur),
                                 Py_True);
            Py_DECREF(info);
            if (base == NULL || PyDict_SetItem(it->paths, key, base) < 0) {
                Py_DECREF(key);
                goto fail;
            }
            Py_DECREF(key);
            break;
        }
        PyObject *link = PyTuple_Pack(2, key, name);
        Py_DECREF(key);
        if (link == NULL || PyList_Append(chain, link) < 0) {
            Py_XDECREF(link);
            Py_DECREF(info);
            goto fail;
        }
        Py_DECREF(link);
        uint64_t parent_ref = PyLong_AsUnsignedLongLong(pref);
        Py_DECREF(info);
        uint64_t p;
        int ok = parent_ok(it, parent_ref, &p);
        if (ok < 0)
            goto fail;
        if (!ok) {
            base = Py_BuildValue("(sO)", ORPHAN_DIR, Py_True);
            break;
        }
        cur = p;
    }
    if (base == NULL)
        goto fail;
    for (Py_ssize_t i = PyList_GET_SIZE(chain); i-- > 0;) {
        PyObject *link = PyList_GET_ITEM(chain, i);
        PyObject *path = PyUnicode_FromFormat("%U/%U", PyTuple_GET_ITEM(base, 0),
                                              PyTuple_GET_ITEM(link, 1));
        if (path == NULL)
            goto fail;
        PyObject *nb = PyTuple_Pack(2, path, PyTuple_GET_ITEM(base, 1));
        Py_DECREF(path);
        if (nb == NULL || PyDict_SetItem(it->paths, PyTuple_GET_ITEM(link, 0), nb) < 0) {
            Py_XDECREF(nb);
            goto fail;
        }
        Py_DECREF(base);
        base = nb;
    }
    Py_DECREF(chain);
    Py_DECREF(seen);
    return base;
fail:
    Py_XDECREF(chain);
    Py_XDECREF(seen);
    Py_XDECREF(base);
    return NULL;
}

/* The path of name k of row o, and whether it is an orphan's. */
static PyObject *name_path(MftRecordObject *o, int k, bool *orphan)
{
    *orphan = false;
    if (o->r.rec == NTX_MFT_ROOT)
        return PyUnicode_FromString("/");
    if (o->iter->vol == NULL || !o->iter->vol->open) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on a closed ntx volume");
        return NULL;
    }
    if (k < 0)
        return (*orphan = true, PyUnicode_FromFormat(ORPHAN_DIR "/OrphanFile-%llu",
                                                     (unsigned long long)o->r.rec));
    const rname *nm = &o->names[k];
    PyObject *name = ntxpy_name(o->units + nm->units_off, nm->name_len, false);
    if (name == NULL)
        return NULL;
    uint64_t p;
    int ok = parent_ok(o->iter, nm->parent_ref, &p);
    PyObject *res = NULL;
    if (ok < 0) {
        Py_DECREF(name);
        return NULL;
    }
    if (!ok) {
        *orphan = true;
        res = PyUnicode_FromFormat(ORPHAN_DIR "/%U", name);
    } else {
        PyObject *base = dir_path(o->iter, p);
        if (base != NULL) {
            *orphan = PyTuple_GET_ITEM(base, 1) == Py_True;
            res = PyUnicode_FromFormat("%U/%U", PyTuple_GET_ITEM(base, 0), name);
            Py_DECREF(base);
        }
    }
    Py_DECREF(name);
    return res;
}

/* ---- MftRecord ---- */

static int record_clear(PyObject *self)
{
    MftRecordObject *o = (MftRecordObject *)self;
    Py_CLEAR(o->iter);
    Py_CLEAR(o->path);
    Py_CLEAR(o->paths);
    return 0;
}

static void record_dealloc(PyObject *self)
{
    MftRecordObject *o = (MftRecordObject *)self;
    record_clear(self);
    free(o->names); /* the block holding streams and units too */
    PyObject_Free(self);
}

static const char *state_word(const rscan *r)
{
    switch (r->state) {
    case REC_UNUSED: return "unused";
    case REC_EMPTY: return "empty";
    case REC_EXT: return "extension";
    case REC_BAD: return "error";
    default: return (r->flags & NTX_REC_IN_USE) ? "in-use" : "deleted";
    }
}

static PyObject *fn_object(const MftRecordObject *o, const rname *nm)
{
    ntx_dirent de;
    memset(&de, 0, sizeof de);
    de.parent_ref = nm->parent_ref;
    memcpy(de.times, nm->times, sizeof de.times);
    de.alloc_size = nm->alloc_size;
    de.data_size = nm->data_size;
    de.file_attrs = nm->file_attrs;
    de.reparse_tag = nm->reparse_tag;
    de.name_space = nm->ns;
    de.name_len = nm->name_len;
    de.is_dir = nm->is_dir;
    memcpy(de.name, o->units + nm->units_off, nm->name_len * sizeof(uint16_t));
    return filename_object(&de, false, nm->attr_id, nm->value_len);
}

enum {
    R_RECORD, R_SEQ, R_REF, R_STATE, R_IN_USE, R_DELETED, R_IS_DIR, R_FLAGS, R_LSN, R_BASE,
    R_LINKS, R_NATTRS, R_NAME, R_NS, R_PARENT, R_NAMES, R_STREAMS, R_SIZE, R_HAS_DATA, R_ATTRS,
    R_OWNER, R_SECURITY, R_USN, R_SI_FT, R_CREATED, R_MODIFIED, R_CHANGED, R_ACCESSED, R_FN_FT,
    R_FN_CREATED, R_FN_MODIFIED, R_FN_CHANGED, R_FN_ACCESSED, R_ERROR, R_PATH, R_PATHS,
    R_ORPHAN,
};

static PyObject *si_time(const MftRecordObject *o, int k)
{
    if (!o->r.has_si)
        Py_RETURN_NONE;
    return ntxpy_datetime(o->r.si_times[k]);
}

static PyObject *fn_time(const MftRecordObject *o, int k)
{
    if (o->prim < 0)
        Py_RETURN_NONE;
    return ntxpy_datetime(o->names[o->prim].times[k]);
}

static PyObject *record_get(PyObject *self, void *closure)
{
    MftRecordObject *o = (MftRecordObject *)self;
    const rscan *r = &o->r;
    bool base = r->state == REC_BASE || r->state == REC_EMPTY;
    switch ((int)(intptr_t)closure) {
    case R_RECORD: return PyLong_FromUnsignedLongLong(r->rec);
    case R_SEQ: return PyLong_FromLong(r->seq);
    case R_REF: return PyLong_FromUnsignedLongLong(NTX_REF(r->rec, r->seq));
    case R_STATE: return PyUnicode_FromString(state_word(r));
    case R_IN_USE: return PyBool_FromLong((r->flags & NTX_REC_IN_USE) != 0);
    case R_DELETED:
        return PyBool_FromLong(r->state == REC_BASE && !(r->flags & NTX_REC_IN_USE));
    case R_IS_DIR: return PyBool_FromLong((r->flags & NTX_REC_DIRECTORY) != 0);
    case R_FLAGS: return PyLong_FromLong(r->flags);
    case R_LSN: return PyLong_FromUnsignedLongLong(r->lsn);
    case R_BASE:
        if (r->state != REC_EXT)
            Py_RETURN_NONE;
        return PyLong_FromUnsignedLongLong(r->base_ref);
    case R_LINKS: return PyLong_FromLong(r->link_count);
    case R_NATTRS: return PyLong_FromUnsignedLong(r->nattrs);
    case R_NAME:
        if (o->prim < 0)
            Py_RETURN_NONE;
        return ntxpy_name(o->units + o->names[o->prim].units_off, o->names[o->prim].name_len,
                          false);
    case R_NS:
        if (o->prim < 0)
            Py_RETURN_NONE;
        return PyUnicode_FromString(ntxpy_namespace_name(o->names[o->prim].ns));
    case R_PARENT:
        if (o->prim < 0)
            Py_RETURN_NONE;
        return PyLong_FromUnsignedLongLong(o->names[o->prim].parent_ref);
    case R_NAMES: {
        PyObject *t = PyTuple_New(r->nnames);
        for (uint32_t i = 0; t != NULL && i < r->nnames; i++) {
            PyObject *x = fn_object(o, &o->names[i]);
            if (x == NULL) {
                Py_CLEAR(t);
                break;
            }
            PyTuple_SET_ITEM(t, i, x);
        }
        return t;
    }
    case R_STREAMS: {
        PyObject *t = PyTuple_New(r->nstreams);
        for (uint32_t i = 0; t != NULL && i < r->nstreams; i++) {
            const rstream *st = &o->streams[i];
            PyObject *items[] = {
                ntxpy_name(o->units + st->units_off, st->name_len, false),
                PyLong_FromUnsignedLong(st->type),
                PyLong_FromUnsignedLongLong(st->size),
                PyLong_FromUnsignedLongLong(st->alloc_size),
                PyLong_FromLong(st->attr_id),
                PyLong_FromLong(st->flags),
                PyBool_FromLong(st->resident),
            };
            PyObject *x = PyStructSequence_New(RecordStream_Type);
            bool ok = x != NULL;
            for (Py_ssize_t k = 0; k < 7; k++) {
                if (items[k] == NULL || !ok) {
                    ok = false;
                    Py_XDECREF(items[k]);
                } else {
                    PyStructSequence_SetItem(x, k, items[k]);
                }
            }
            if (!ok) {
                Py_XDECREF(x);
                Py_CLEAR(t);
                break;
            }
            PyTuple_SET_ITEM(t, i, x);
        }
        return t;
    }
    case R_SIZE:
        if (!base || (r->flags & NTX_REC_DIRECTORY))
            Py_RETURN_NONE;
        return PyLong_FromUnsignedLongLong(r->data_size);
    case R_HAS_DATA: return PyBool_FromLong(r->has_data);
    case R_ATTRS:
        if (!r->has_si)
            Py_RETURN_NONE;
        return PyLong_FromUnsignedLong(r->dos_attrs);
    case R_OWNER: return PyLong_FromUnsignedLong(r->owner_id);
    case R_SECURITY: return PyLong_FromUnsignedLong(r->security_id);
    case R_USN: return PyLong_FromUnsignedLongLong(r->usn);
    case R_SI_FT:
        if (!r->has_si)
            Py_RETURN_NONE;
        return ntxpy_filetimes(r->si_times);
    case R_CREATED: return si_time(o, NTX_TIME_CREATE);
    case R_MODIFIED: return si_time(o, NTX_TIME_MODIFY);
    case R_CHANGED: return si_time(o, NTX_TIME_MFT_CHANGE);
    case R_ACCESSED: return si_time(o, NTX_TIME_ACCESS);
    case R_FN_FT:
        if (o->prim < 0)
            Py_RETURN_NONE;
        return ntxpy_filetimes(o->names[o->prim].times);
    case R_FN_CREATED: return fn_time(o, NTX_TIME_CREATE);
    case R_FN_MODIFIED: return fn_time(o, NTX_TIME_MODIFY);
    case R_FN_CHANGED: return fn_time(o, NTX_TIME_MFT_CHANGE);
    case R_FN_ACCESSED: return fn_time(o, NTX_TIME_ACCESS);
    case R_ERROR: {
        if (r->err == NTX_OK)
            Py_RETURN_NONE;
        char what[64];
        snprintf(what, sizeof what, "record %llu", (unsigned long long)r->rec);
        return ntxpy_error_object(r->err, &r->diag, what);
    }
    case R_PATH:
    case R_ORPHAN:
        if (!base)
            Py_RETURN_NONE;
        if (o->path == NULL) {
            bool orphan;
            o->path = name_path(o, o->prim, &orphan);
            if (o->path == NULL)
                return NULL;
            o->orphan = orphan;
        }
        if ((int)(intptr_t)closure == R_ORPHAN)
            return PyBool_FromLong(o->orphan);
        return Py_NewRef(o->path);
    case R_PATHS: {
        if (o->paths == NULL) {
            PyObject *t = PyTuple_New(r->nnames);
            for (uint32_t i = 0; t != NULL && i < r->nnames; i++) {
                bool orphan;
                PyObject *p = name_path(o, (int)i, &orphan);
                if (p == NULL) {
                    Py_CLEAR(t);
                    break;
                }
                PyTuple_SET_ITEM(t, i, p);
            }
            if (t == NULL)
                return NULL;
            o->paths = t;
        }
        return Py_NewRef(o->paths);
    }
    default: break;
    }
    PyErr_SetString(PyExc_SystemError, "bad MftRecord field");
    return NULL;
}

static PyObject *record_repr(PyObject *self)
{
    MftRecordObject *o = (MftRecordObject *)self;
    if (o->prim >= 0) {
        PyObject *name = ntxpy_name(o->units + o->names[o->prim].units_off,
                                    o->names[o->prim].name_len, false);
        if (name == NULL)
            return NULL;
        PyObject *r = PyUnicode_FromFormat("<ntx.MftRecord %llu-%u %s %R>",
                                           (unsigned long long)o->r.rec, o->r.seq,
                                           state_word(&o->r), name);
        Py_DECREF(name);
        return r;
    }
    return PyUnicode_FromFormat("<ntx.MftRecord %llu-%u %s>", (unsigned long long)o->r.rec,
                                o->r.seq, state_word(&o->r));
}

static PyObject *record_open(PyObject *self, PyObject *unused)
{
    (void)unused;
    MftRecordObject *o = (MftRecordObject *)self;
    if (o->iter->vol == NULL) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on a closed ntx volume");
        return NULL;
    }
    return file_open_ref(o->iter->vol, o->r.rec, NTX_OPEN_DELETED, NULL);
}

#define RG(name, id, doc) { name, record_get, NULL, doc, (void *)(intptr_t)(id) }
static PyGetSetDef record_getset[] = {
    RG("record", R_RECORD, "record number"),
    RG("sequence", R_SEQ, "sequence number"),
    RG("reference", R_REF, "record | sequence << 48"),
    RG("state", R_STATE, "'in-use', 'deleted' (a base record not in use), 'extension', "
                         "'unused' (no FILE magic: never used), 'empty' (formatted, no "
                         "attribute), 'error' (unreadable: see error)"),
    RG("in_use", R_IN_USE, "the in-use flag of the header"),
    RG("deleted", R_DELETED, "a base record not in use: a deleted file"),
    RG("is_dir", R_IS_DIR, "the directory flag of the header"),
    RG("flags", R_FLAGS, "header flags (RECORD_*)"),
    RG("lsn", R_LSN, "$LogFile sequence number of the last change"),
    RG("base_reference", R_BASE, "an extension record's base record, else None"),
    RG("link_count", R_LINKS, "hard link count of the header"),
    RG("attribute_count", R_NATTRS, "attributes read"),
    RG("name", R_NAME, "the primary name (the first that is not a DOS alias), or None"),
    RG("namespace", R_NS, "its namespace"),
    RG("parent_reference", R_PARENT, "its parent reference"),
    RG("names", R_NAMES, "every $FILE_NAME (tuple of FileName)"),
    RG("streams", R_STREAMS, "the $DATA and $INDEX_ROOT attributes (tuple of RecordStream)"),
    RG("size", R_SIZE, "unnamed $DATA size of a file; None for a directory or a non-base record"),
    RG("has_data", R_HAS_DATA, "an unnamed $DATA exists"),
    RG("file_attributes", R_ATTRS, "$STANDARD_INFORMATION attributes, or None"),
    RG("owner_id", R_OWNER, "NTFS 3.x owner id"),
    RG("security_id", R_SECURITY, "NTFS 3.x security id"),
    RG("usn", R_USN, "NTFS 3.x update sequence number"),
    RG("si_filetimes", R_SI_FT, "$STANDARD_INFORMATION (created, modified, changed, accessed) as "
                                "FILETIME ints, or None"),
    RG("created", R_CREATED, "$STANDARD_INFORMATION creation time (datetime) or None"),
    RG("modified", R_MODIFIED, "$STANDARD_INFORMATION modification time"),
    RG("changed", R_CHANGED, "$STANDARD_INFORMATION MFT change time"),
    RG("accessed", R_ACCESSED, "$STANDARD_INFORMATION access time"),
    RG("fn_filetimes", R_FN_FT, "the primary $FILE_NAME's times as FILETIME ints, or None"),
    RG("fn_created", R_FN_CREATED, "its creation time"),
    RG("fn_modified", R_FN_MODIFIED, "its modification time"),
    RG("fn_changed", R_FN_CHANGED, "its MFT change time"),
    RG("fn_accessed", R_FN_ACCESSED, "its access time"),
    RG("error", R_ERROR, "why the record (or part of its attributes) could not be read: an "
                         "ntx.Error, or None"),
    RG("path", R_PATH, "the full path by the primary name, rebuilt from parent references "
                       "('/$OrphanFiles/...' when the chain is broken); None for non-base "
                       "records"),
    RG("paths", R_PATHS, "the path of every name, in the order of names"),
    RG("orphan", R_ORPHAN, "path is under /$OrphanFiles"),
    { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef record_methods[] = {
    { "open", record_open, METH_NOARGS,
      "open() -> File\n\nOpen this record (deleted or not), as "
      "Volume.open_record(record, deleted=True)." },
    { NULL, NULL, 0, NULL },
};

PyTypeObject MftRecord_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.MftRecord",
    .tp_basicsize = sizeof(MftRecordObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One MFT record as Volume.mft() reads it.",
    .tp_dealloc = record_dealloc,
    .tp_repr = record_repr,
    .tp_getset = record_getset,
    .tp_methods = record_methods,
};

static int mftiter_clear(PyObject *self)
{
    MftIterObject *it = (MftIterObject *)self;
    Py_CLEAR(it->vol);
    Py_CLEAR(it->info);
    Py_CLEAR(it->paths);
    return 0;
}

static void mftiter_dealloc(PyObject *self)
{
    MftIterObject *it = (MftIterObject *)self;
    mftiter_clear(self);
    free(it->batch);
    free(it->buf);
    free(it->a.names);
    free(it->a.streams);
    free(it->a.units);
    PyObject_Free(self);
}

static PyObject *mftiter_len_hint(PyObject *self, PyObject *unused)
{
    (void)unused;
    MftIterObject *it = (MftIterObject *)self;
    uint64_t left = it->stop > it->next ? it->stop - it->next : 0;
    return PyLong_FromUnsignedLongLong(left + (it->nbatch - it->ibatch));
}

static PyMethodDef mftiter_methods[] = {
    { "__length_hint__", mftiter_len_hint, METH_NOARGS, NULL },
    { NULL, NULL, 0, NULL },
};

PyTypeObject MftIter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.MftIterator",
    .tp_basicsize = sizeof(MftIterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Iterator of MftRecord (Volume.mft()).",
    .tp_dealloc = mftiter_dealloc,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = mft_next,
    .tp_methods = mftiter_methods,
};

int ntxpy_init_mft(PyObject *m)
{
    static PyStructSequence_Field rs_fields[] = {
        { "name", "'' for the unnamed one ($DATA) or '$I30' ($INDEX_ROOT)" },
        { "type", "AT_DATA or AT_INDEX_ROOT" },
        { "size", "data size" },
        { "allocated_size", "allocated bytes" },
        { "instance", "attribute id" },
        { "flags", "ATTR_FLAG_*" },
        { "resident", "in the record" },
        { NULL, NULL },
    };
    static PyStructSequence_Desc rs_desc = {
        "ntx.RecordStream", "A $DATA or $INDEX_ROOT attribute of an MftRecord.", rs_fields, 7,
    };
    RecordStream_Type = PyStructSequence_NewType(&rs_desc);
    if (RecordStream_Type == NULL)
        return -1;
    if (PyType_Ready(&MftIter_Type) < 0 || PyType_Ready(&MftRecord_Type) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "MftIterator", (PyObject *)&MftIter_Type) < 0 ||
        PyModule_AddObjectRef(m, "MftRecord", (PyObject *)&MftRecord_Type) < 0 ||
        PyModule_AddObjectRef(m, "RecordStream", (PyObject *)RecordStream_Type) < 0)
        return -1;
    return 0;
}
