/*
 * file.c - ntx.File (an open MFT record), ntx.Stat (what ntx_file_stat()
 * says, with both time sets and the link target), ntx.Attribute (one
 * attribute or extent, its value and runs), and the rows of a file's names,
 * streams, reparse point and $I30 slack.
 */
#include "ntxpy.h"

#include <stdlib.h>
#include <string.h>

PyTypeObject *FileName_Type;
PyTypeObject *StreamInfo_Type;
PyTypeObject *Run_Type;
PyTypeObject *ReparsePoint_Type;
PyTypeObject *SlackEntry_Type;

/* NT time of 1970-01-01, for the st_*time fields */
#define NT_UNIX_EPOCH 116444736000000000ull

/* Set the n items of a struct sequence; on a NULL item the object is freed. */
static PyObject *fill_seq(PyObject *o, PyObject **items, Py_ssize_t n)
{
    bool ok = o != NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (items[i] == NULL || !ok) {
            ok = false;
            Py_XDECREF(items[i]);
            continue;
        }
        PyStructSequence_SetItem(o, i, items[i]);
    }
    if (!ok) {
        Py_XDECREF(o);
        return NULL;
    }
    return o;
}

/* ---- File ---- */

PyObject *file_new(VolumeObject *v, const ntx_file *f, PyObject *path)
{
    FileObject *o = PyObject_New(FileObject, &File_Type);
    if (o == NULL)
        return NULL;
    o->vol = (VolumeObject *)Py_NewRef((PyObject *)v);
    o->f = *f;
    o->path = Py_NewRef(path != NULL ? path : Py_None);
    return (PyObject *)o;
}

int file_target(PyObject *o, ntx_file *f, PyObject **path)
{
    if (!PyObject_TypeCheck(o, &File_Type))
        return -1;
    *f = ((FileObject *)o)->f;
    *path = ((FileObject *)o)->path;
    return 0;
}

PyObject *file_open_ref(VolumeObject *v, uint64_t ref, unsigned flags, PyObject *path)
{
    VGuard g;
    ntx_file f;
    if (vol_enter(v, &g) < 0)
        return NULL;
    ntx_err rc = ntx_file_open(&f, &v->vol, ref, flags);
    if (rc != NTX_OK)
        vol_note(&g);
    vol_leave(&g);
    if (rc != NTX_OK) {
        char what[64];
        snprintf(what, sizeof what, "record %llu", (unsigned long long)NTX_REF_MFT(ref));
        return ntxpy_raise_g(rc, &g, path ? NULL : what, path);
    }
    return file_new(v, &f, path);
}

PyObject *file_open_path(VolumeObject *v, PyObject *path)
{
    bool was_bytes;
    PyObject *b = ntxpy_path_bytes(path, &was_bytes);
    if (b == NULL)
        return NULL;
    VGuard g;
    ntx_file f;
    if (vol_enter(v, &g) < 0) {
        Py_DECREF(b);
        return NULL;
    }
    ntx_err rc = ntx_file_open_path(&f, &v->vol, PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b));
    if (rc != NTX_OK)
        vol_note(&g);
    vol_leave(&g);
    Py_DECREF(b);
    if (rc != NTX_OK)
        return ntxpy_raise_g(rc, &g, NULL, path);
    PyObject *p = PyOS_FSPath(path);
    if (p == NULL)
        return NULL;
    PyObject *o = file_new(v, &f, p);
    Py_DECREF(p);
    return o;
}

static int file_clear(PyObject *self)
{
    FileObject *o = (FileObject *)self;
    Py_CLEAR(o->vol);
    Py_CLEAR(o->path);
    return 0;
}

static void file_dealloc(PyObject *self)
{
    file_clear(self);
    PyObject_Free(self);
}

static PyObject *file_repr(PyObject *self)
{
    FileObject *o = (FileObject *)self;
    if (o->path != NULL && o->path != Py_None)
        return PyUnicode_FromFormat("<ntx.File record %llu-%u %R>",
                                    (unsigned long long)o->f.mft_no, o->f.seq, o->path);
    return PyUnicode_FromFormat("<ntx.File record %llu-%u%s>", (unsigned long long)o->f.mft_no,
                                o->f.seq, (o->f.rec_flags & NTX_REC_IN_USE) ? "" : " (deleted)");
}

/* What a failure of this file is called in messages. */
static void file_what(FileObject *o, char *buf, size_t cap)
{
    snprintf(buf, cap, "record %llu", (unsigned long long)o->f.mft_no);
}

static PyObject *file_raise(FileObject *o, ntx_err rc, VGuard *g, const char *suffix)
{
    char what[96];
    if (o->path != Py_None && suffix == NULL)
        return ntxpy_raise_g(rc, g, NULL, o->path);
    file_what(o, what, sizeof what);
    if (suffix != NULL) {
        size_t n = strlen(what);
        snprintf(what + n, sizeof what - n, " %s", suffix);
    }
    return ntxpy_raise_g(rc, g, what, NULL);
}

/* ---- Stat ---- */

typedef struct StatObject {
    PyObject_HEAD
    ntx_stat st;
    uint16_t rec_flags;
    PyObject *target;   /* link target (str) or None */
} StatObject;

enum {
    S_RECORD, S_SEQUENCE, S_REFERENCE, S_PARENT_REFERENCE, S_PARENT_RECORD, S_SIZE, S_ALLOC,
    S_CREATED, S_MODIFIED, S_CHANGED, S_ACCESSED,
    S_FN_CREATED, S_FN_MODIFIED, S_FN_CHANGED, S_FN_ACCESSED, S_SI_FT, S_FN_FT,
    S_ATTRS, S_REPARSE_TAG, S_REPARSE_TARGET, S_LINKS, S_NAMES, S_OWNER, S_SECURITY, S_USN,
    S_DATA_FORM, S_DATA_FLAGS, S_DATA_RESIDENT, S_HAS_DATA, S_WOF, S_WOF_CHUNK, S_STORED,
    S_EXTERNAL, S_IS_DIR, S_IS_SYMLINK, S_IN_USE, S_DELETED,
    S_ST_MODE, S_ST_INO, S_ST_DEV, S_ST_NLINK, S_ST_UID, S_ST_GID, S_ST_SIZE,
    S_ST_ATIME, S_ST_MTIME, S_ST_CTIME, S_ST_BIRTHTIME,
    S_ST_ATIME_NS, S_ST_MTIME_NS, S_ST_CTIME_NS, S_ST_BIRTHTIME_NS, S_ST_FILE_ATTRIBUTES,
    S_ST_REPARSE_TAG,
};

#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000
#define S_IFLNK_ 0120000

static PyObject *unix_float(uint64_t nt)
{
    return PyFloat_FromDouble(((double)nt - (double)NT_UNIX_EPOCH) / 1e7);
}

static PyObject *unix_ns(uint64_t nt)
{
    /* (nt - epoch) * 100 may leave 64 bits: in Python ints */
    PyObject *a = PyLong_FromUnsignedLongLong(nt);
    PyObject *b = PyLong_FromUnsignedLongLong(NT_UNIX_EPOCH);
    PyObject *c = PyLong_FromLong(100);
    PyObject *d = (a && b) ? PyNumber_Subtract(a, b) : NULL;
    PyObject *r = (d && c) ? PyNumber_Multiply(d, c) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(c);
    Py_XDECREF(d);
    return r;
}

static PyObject *stat_get(PyObject *self, void *closure)
{
    StatObject *o = (StatObject *)self;
    const ntx_stat *st = &o->st;
    bool link = o->target != Py_None;
    switch ((int)(intptr_t)closure) {
    case S_RECORD: return PyLong_FromUnsignedLongLong(NTX_REF_MFT(st->mft_ref));
    case S_SEQUENCE: return PyLong_FromLong(NTX_REF_SEQ(st->mft_ref));
    case S_REFERENCE: return PyLong_FromUnsignedLongLong(st->mft_ref);
    case S_PARENT_REFERENCE: return PyLong_FromUnsignedLongLong(st->parent_ref);
    case S_PARENT_RECORD: return PyLong_FromUnsignedLongLong(NTX_REF_MFT(st->parent_ref));
    case S_SIZE:
    case S_ST_SIZE: return PyLong_FromUnsignedLongLong(st->size);
    case S_ALLOC: return PyLong_FromUnsignedLongLong(st->alloc_size);
    case S_CREATED: return ntxpy_datetime(st->si_times[NTX_TIME_CREATE]);
    case S_MODIFIED: return ntxpy_datetime(st->si_times[NTX_TIME_MODIFY]);
    case S_CHANGED: return ntxpy_datetime(st->si_times[NTX_TIME_MFT_CHANGE]);
    case S_ACCESSED: return ntxpy_datetime(st->si_times[NTX_TIME_ACCESS]);
    case S_FN_CREATED: return ntxpy_datetime(st->fn_times[NTX_TIME_CREATE]);
    case S_FN_MODIFIED: return ntxpy_datetime(st->fn_times[NTX_TIME_MODIFY]);
    case S_FN_CHANGED: return ntxpy_datetime(st->fn_times[NTX_TIME_MFT_CHANGE]);
    case S_FN_ACCESSED: return ntxpy_datetime(st->fn_times[NTX_TIME_ACCESS]);
    case S_SI_FT: return ntxpy_filetimes(st->si_times);
    case S_FN_FT: return ntxpy_filetimes(st->fn_times);
    case S_ATTRS:
    case S_ST_FILE_ATTRIBUTES: return PyLong_FromUnsignedLong(st->dos_attrs);
    case S_REPARSE_TAG:
    case S_ST_REPARSE_TAG: return PyLong_FromUnsignedLong(st->reparse_tag);
    case S_REPARSE_TARGET: return Py_NewRef(o->target);
    case S_LINKS:
    case S_ST_NLINK: return PyLong_FromLong(st->link_count);
    case S_NAMES: return PyLong_FromLong(st->name_count);
    case S_OWNER: return PyLong_FromUnsignedLong(st->owner_id);
    case S_SECURITY: return PyLong_FromUnsignedLong(st->security_id);
    case S_USN: return PyLong_FromUnsignedLongLong(st->usn);
    case S_DATA_FORM: return PyUnicode_FromString(ntxpy_data_form_name(st->data_form));
    case S_DATA_FLAGS: return PyLong_FromLong(st->data_flags);
    case S_DATA_RESIDENT: return PyBool_FromLong(st->data_resident);
    case S_HAS_DATA: return PyBool_FromLong(st->has_data);
    case S_WOF:
        if (st->data_form != NTX_DATA_WOF)
            Py_RETURN_NONE;
        return PyUnicode_FromString(ntxpy_wof_name(st->wof_algorithm));
    case S_WOF_CHUNK:
        if (st->data_form != NTX_DATA_WOF)
            Py_RETURN_NONE;
        return PyLong_FromUnsignedLong(st->wof_chunk_size);
    case S_STORED:
        if (st->data_form != NTX_DATA_WOF)
            Py_RETURN_NONE;
        return PyLong_FromUnsignedLongLong(st->stored_size);
    case S_EXTERNAL: {
        const char *k = st->data_form == NTX_DATA_EXTERNAL ? ntxpy_external_kind(st->reparse_tag)
                                                            : NULL;
        if (st->data_form == NTX_DATA_EXTERNAL && k == NULL)
            k = "other";
        return k ? PyUnicode_FromString(k) : Py_NewRef(Py_None);
    }
    case S_IS_DIR: return PyBool_FromLong(st->is_dir);
    case S_IS_SYMLINK: return PyBool_FromLong(link);
    case S_IN_USE: return PyBool_FromLong((o->rec_flags & NTX_REC_IN_USE) != 0);
    case S_DELETED: return PyBool_FromLong((o->rec_flags & NTX_REC_IN_USE) == 0);
    case S_ST_MODE:
        return PyLong_FromLong(link ? S_IFLNK_ | 0777 : st->is_dir ? S_IFDIR_ | 0555
                                                                   : S_IFREG_ | 0444);
    case S_ST_INO: return PyLong_FromUnsignedLongLong(NTX_REF_MFT(st->mft_ref));
    case S_ST_DEV:
    case S_ST_UID:
    case S_ST_GID: return PyLong_FromLong(0);
    case S_ST_ATIME: return unix_float(st->si_times[NTX_TIME_ACCESS]);
    case S_ST_MTIME: return unix_float(st->si_times[NTX_TIME_MODIFY]);
    case S_ST_CTIME: return unix_float(st->si_times[NTX_TIME_MFT_CHANGE]);
    case S_ST_BIRTHTIME: return unix_float(st->si_times[NTX_TIME_CREATE]);
    case S_ST_ATIME_NS: return unix_ns(st->si_times[NTX_TIME_ACCESS]);
    case S_ST_MTIME_NS: return unix_ns(st->si_times[NTX_TIME_MODIFY]);
    case S_ST_CTIME_NS: return unix_ns(st->si_times[NTX_TIME_MFT_CHANGE]);
    case S_ST_BIRTHTIME_NS: return unix_ns(st->si_times[NTX_TIME_CREATE]);
    default: break;
    }
    PyErr_SetString(PyExc_SystemError, "bad Stat field");
    return NULL;
}

#define SG(name, id, doc) { name, stat_get, NULL, doc, (void *)(intptr_t)(id) }
static PyGetSetDef stat_getset[] = {
    SG("record", S_RECORD, "MFT record number"),
    SG("sequence", S_SEQUENCE, "record sequence number"),
    SG("reference", S_REFERENCE, "MFT reference: record | sequence << 48"),
    SG("parent_reference", S_PARENT_REFERENCE, "parent directory, from the $FILE_NAME that gave "
                                               "the fn_ times"),
    SG("parent_record", S_PARENT_RECORD, "its record number"),
    SG("size", S_SIZE, "unnamed $DATA size (0 for a directory; a WOF file's uncompressed size)"),
    SG("allocated_size", S_ALLOC, "its allocated size (compressed: the clusters on disk)"),
    SG("created", S_CREATED, "$STANDARD_INFORMATION creation time (aware UTC datetime, None "
                             "past 9999)"),
    SG("modified", S_MODIFIED, "$STANDARD_INFORMATION data modification time"),
    SG("changed", S_CHANGED, "$STANDARD_INFORMATION MFT record change time"),
    SG("accessed", S_ACCESSED, "$STANDARD_INFORMATION access time"),
    SG("fn_created", S_FN_CREATED, "$FILE_NAME creation time (the Win32 or POSIX name, else "
                                   "DOS)"),
    SG("fn_modified", S_FN_MODIFIED, "$FILE_NAME modification time"),
    SG("fn_changed", S_FN_CHANGED, "$FILE_NAME MFT change time"),
    SG("fn_accessed", S_FN_ACCESSED, "$FILE_NAME access time"),
    SG("si_filetimes", S_SI_FT, "$STANDARD_INFORMATION times as NT FILETIME ints: (created, "
                                "modified, changed, accessed)"),
    SG("fn_filetimes", S_FN_FT, "$FILE_NAME times as FILETIME ints, same order"),
    SG("file_attributes", S_ATTRS, "DOS/Windows attributes (FILE_ATTRIBUTE_*)"),
    SG("reparse_tag", S_REPARSE_TAG, "reparse tag, 0 when not a reparse point"),
    SG("reparse_target", S_REPARSE_TARGET, "target of a symbolic link, junction or Interix "
                                           "symlink ('\\\\' as '/', NT prefix dropped), or None"),
    SG("link_count", S_LINKS, "hard link count of the record header (DOS names count)"),
    SG("name_count", S_NAMES, "$FILE_NAME attributes, DOS-only names excluded"),
    SG("owner_id", S_OWNER, "NTFS 3.x owner id (0 if absent)"),
    SG("security_id", S_SECURITY, "NTFS 3.x security id"),
    SG("usn", S_USN, "NTFS 3.x update sequence number"),
    SG("data_form", S_DATA_FORM, "where the data is: 'none', 'resident', 'plain', 'sparse', "
                                 "'lznt1', 'encrypted', 'wof', 'external' or 'unknown'"),
    SG("data_flags", S_DATA_FLAGS, "ATTR_FLAG_* of the unnamed $DATA"),
    SG("data_resident", S_DATA_RESIDENT, "the unnamed $DATA lives in the MFT record"),
    SG("has_data", S_HAS_DATA, "an unnamed $DATA exists"),
    SG("wof_algorithm", S_WOF, "'xpress4k', 'lzx', 'xpress8k', 'xpress16k' for WOF data, else "
                               "None"),
    SG("wof_chunk_size", S_WOF_CHUNK, "WOF data: bytes each chunk expands to"),
    SG("stored_size", S_STORED, "WOF data: bytes of WofCompressedData"),
    SG("external", S_EXTERNAL, "data stored outside the volume: 'wim', 'dedup', 'cloud', 'hsm', "
                               "'other'; else None"),
    SG("is_dir", S_IS_DIR, "a directory"),
    SG("is_symlink", S_IS_SYMLINK, "a symbolic link, junction or Interix symlink "
                                   "(reparse_target set)"),
    SG("in_use", S_IN_USE, "the record is in use"),
    SG("deleted", S_DELETED, "the record is not in use (opened with deleted=True)"),
    SG("st_mode", S_ST_MODE, "as ntfs-3g shows it: a directory 0o40555, a link 0o120777, a "
                             "file 0o100444"),
    SG("st_ino", S_ST_INO, "the MFT record number"),
    SG("st_dev", S_ST_DEV, "0"),
    SG("st_nlink", S_ST_NLINK, "link_count"),
    SG("st_uid", S_ST_UID, "0"),
    SG("st_gid", S_ST_GID, "0"),
    SG("st_size", S_ST_SIZE, "size"),
    SG("st_atime", S_ST_ATIME, "accessed, seconds since 1970 (float)"),
    SG("st_mtime", S_ST_MTIME, "modified, seconds since 1970"),
    SG("st_ctime", S_ST_CTIME, "changed (MFT change), seconds since 1970"),
    SG("st_birthtime", S_ST_BIRTHTIME, "created, seconds since 1970"),
    SG("st_atime_ns", S_ST_ATIME_NS, "accessed, ns since 1970 (int)"),
    SG("st_mtime_ns", S_ST_MTIME_NS, "modified, ns since 1970"),
    SG("st_ctime_ns", S_ST_CTIME_NS, "changed, ns since 1970"),
    SG("st_birthtime_ns", S_ST_BIRTHTIME_NS, "created, ns since 1970"),
    SG("st_file_attributes", S_ST_FILE_ATTRIBUTES, "file_attributes"),
    SG("st_reparse_tag", S_ST_REPARSE_TAG, "reparse_tag"),
    { NULL, NULL, NULL, NULL, NULL },
};

static void stat_dealloc(PyObject *self)
{
    Py_XDECREF(((StatObject *)self)->target);
    PyObject_Free(self);
}

static PyObject *stat_repr(PyObject *self)
{
    StatObject *o = (StatObject *)self;
    return PyUnicode_FromFormat("ntx.Stat(record=%llu, sequence=%u, size=%llu, is_dir=%s, "
                                "data_form='%s', file_attributes=0x%x%s)",
                                (unsigned long long)NTX_REF_MFT(o->st.mft_ref),
                                NTX_REF_SEQ(o->st.mft_ref), (unsigned long long)o->st.size,
                                o->st.is_dir ? "True" : "False",
                                ntxpy_data_form_name(o->st.data_form), o->st.dos_attrs,
                                (o->rec_flags & NTX_REC_IN_USE) ? "" : ", deleted=True");
}

PyTypeObject Stat_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.Stat",
    .tp_basicsize = sizeof(StatObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "What File.stat() says: sizes, both time sets ($STANDARD_INFORMATION and "
              "$FILE_NAME) as datetimes and FILETIME ints, attributes, links, reparse point, "
              "where the data is; and os.stat_result's st_* names.",
    .tp_dealloc = stat_dealloc,
    .tp_repr = stat_repr,
    .tp_getset = stat_getset,
};

/* Whether the file may be a link: a symlink or junction tag, or an Interix
 * symlink (a system file starting "IntxLNK\1", as old ntfs-3g made them). */
static bool maybe_link(const ntx_stat *st)
{
    bool maybe_interix = !st->is_dir && (st->dos_attrs & NTX_FA_SYSTEM) && st->size >= 10 &&
                         st->size <= 8 + 2 * 4096;
    return st->reparse_tag == NTX_REPARSE_SYMLINK || st->reparse_tag == NTX_REPARSE_MOUNT_POINT ||
           maybe_interix;
}

PyObject *file_stat(VolumeObject *v, const ntx_file *f, PyObject *what)
{
    ntx_stat st;
    char *target = NULL;
    size_t tlen = 0;
    bool nomem = false;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    ntx_err rc = ntx_file_stat(f, &st);
    if (rc != NTX_OK) {
        vol_note(&g);
    } else if (maybe_link(&st)) {
        char *out = (char *)v->scratch + NTX_REPARSE_BUFFER_SIZE;
        /* a damaged reparse point still stats: no target (readlink() says why) */
        if (ntx_file_readlink(f, v->scratch, NTX_REPARSE_BUFFER_SIZE, out, NTXPY_LINK_CAP,
                              &tlen) == NTX_OK) {
            target = malloc(tlen ? tlen : 1); /* out of the scratch before the lock goes */
            if (target != NULL)
                memcpy(target, out, tlen);
            else
                nomem = true;
        }
    }
    vol_leave(&g);
    if (rc != NTX_OK) {
        if (what != NULL && what != Py_None)
            return ntxpy_raise_g(rc, &g, NULL, what);
        char w[64];
        snprintf(w, sizeof w, "record %llu", (unsigned long long)f->mft_no);
        return ntxpy_raise_g(rc, &g, w, NULL);
    }
    if (nomem)
        return PyErr_NoMemory();
    PyObject *t = target ? PyUnicode_DecodeUTF8(target, (Py_ssize_t)tlen, "surrogatepass")
                         : Py_NewRef(Py_None);
    free(target);
    if (t == NULL)
        return NULL;
    StatObject *o = PyObject_New(StatObject, &Stat_Type);
    if (o == NULL) {
        Py_DECREF(t);
        return NULL;
    }
    o->st = st;
    o->rec_flags = f->rec_flags;
    o->target = t;
    return (PyObject *)o;
}

/* ---- File methods ---- */

static PyObject *f_stat(PyObject *self, PyObject *unused)
{
    (void)unused;
    FileObject *o = (FileObject *)self;
    return file_stat(o->vol, &o->f, o->path);
}

static PyObject *f_open_stream(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "name", "type", "raw", NULL };
    PyObject *name = NULL, *type = Py_None;
    int raw = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|U$Op:open_stream", kwlist, &name, &type, &raw))
        return NULL;
    FileObject *o = (FileObject *)self;
    VolumeObject *v = o->vol;
    ntx_stream s;
    if (type == Py_None) {
        ntxpy_prefetch p;
        if (stream_open_handle(v, &o->f, name, o->path, raw, &s, &p) < 0)
            return NULL;
        return stream_new(v, &s, o->f.mft_no, name, &p);
    }
    uint64_t t;
    if (ntxpy_u64(type, &t, "type") < 0)
        return NULL;
    uint16_t u[NTX_NAME_MAX];
    size_t n = 0;
    if (name != NULL && ntxpy_name_utf16(name, u, &n) < 0)
        return NULL;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    ntx_err rc = raw ? ntx_stream_open_raw(&s, &o->f, (uint32_t)t, u, n)
                     : ntx_stream_open(&s, &o->f, (uint32_t)t, u, n);
    if (rc != NTX_OK)
        vol_note(&g);
    vol_leave(&g);
    if (rc != NTX_OK) {
        const char *tn = ntxpy_attr_type_name((uint32_t)t);
        char what[128];
        snprintf(what, sizeof what, "record %llu %s", (unsigned long long)o->f.mft_no,
                 tn ? tn : "attribute");
        return ntxpy_raise_g(rc, &g, what, NULL);
    }
    return stream_new(v, &s, o->f.mft_no, name, NULL);
}

static PyObject *f_read_bytes(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "name", NULL };
    PyObject *name = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|U:read_bytes", kwlist, &name))
        return NULL;
    FileObject *o = (FileObject *)self;
    ntx_stream s;
    ntxpy_prefetch p;
    if (stream_open_handle(o->vol, &o->f, name, o->path, false, &s, &p) < 0)
        return NULL;
    PyObject *st = stream_new(o->vol, &s, o->f.mft_no, name, &p);
    if (st == NULL)
        return NULL;
    PyObject *data = PyObject_CallMethod(st, "readall", NULL);
    PyObject *r = PyObject_CallMethod(st, "close", NULL);
    Py_XDECREF(r);
    Py_DECREF(st);
    return data;
}

/* Every attribute of f, collected under the lock: *out (malloc'd), *n. */
static ntx_err collect_attrs(VolumeObject *v, const ntx_file *f, ntx_attr_info **out, size_t *n,
                             VGuard *g)
{
    (void)v;
    ntx_attr_iter it;
    ntx_attr_info ai;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    ntx_err rc = ntx_attr_iter_open(&it, f);
    while (rc == NTX_OK && (rc = ntx_attr_iter_next(&it, &ai)) == NTX_OK) {
        if (*n == cap) {
            size_t c = cap ? 2 * cap : 16;
            ntx_attr_info *p = realloc(*out, c * sizeof *p);
            if (p == NULL)
                return NTX_E_BUFFER;
            *out = p;
            cap = c;
        }
        (*out)[(*n)++] = ai;
    }
    if (rc == NTX_END)
        return NTX_OK;
    vol_note(g);
    return rc;
}

/* ---- Attribute ---- */

typedef struct AttrObject {
    PyObject_HEAD
    FileObject *file;
    ntx_attr_info ai;
} AttrObject;

static PyObject *attr_new(FileObject *f, const ntx_attr_info *ai)
{
    AttrObject *o = PyObject_New(AttrObject, &Attribute_Type);
    if (o == NULL)
        return NULL;
    o->file = (FileObject *)Py_NewRef((PyObject *)f);
    o->ai = *ai;
    return (PyObject *)o;
}

static int attr_clear(PyObject *self)
{
    Py_CLEAR(((AttrObject *)self)->file);
    return 0;
}

static void attr_dealloc(PyObject *self)
{
    attr_clear(self);
    PyObject_Free(self);
}

enum {
    A_TYPE, A_TYPE_NAME, A_NAME, A_FLAGS, A_RESIDENT, A_INSTANCE, A_RECORD, A_ATTR_OFF, A_SIZE,
    A_ALLOC, A_INIT, A_LOWEST, A_HIGHEST, A_CU, A_COMPRESSED, A_SPARSE, A_ENCRYPTED,
};

static PyObject *attr_get(PyObject *self, void *closure)
{
    const ntx_attr_info *ai = &((AttrObject *)self)->ai;
    switch ((int)(intptr_t)closure) {
    case A_TYPE: return PyLong_FromUnsignedLong(ai->type);
    case A_TYPE_NAME: {
        const char *n = ntxpy_attr_type_name(ai->type);
        if (n != NULL)
            return PyUnicode_FromString(n);
        return PyUnicode_FromFormat("0x%x", ai->type);
    }
    case A_NAME: return ntxpy_name(ai->name, ai->name_len, false);
    case A_FLAGS: return PyLong_FromLong(ai->flags);
    case A_RESIDENT: return PyBool_FromLong(ai->resident);
    case A_INSTANCE: return PyLong_FromLong(ai->instance);
    case A_RECORD: return PyLong_FromUnsignedLongLong(ai->rec_no);
    case A_ATTR_OFF: return PyLong_FromUnsignedLong(ai->attr_off);
    case A_SIZE: return PyLong_FromUnsignedLongLong(ai->size);
    case A_ALLOC:
        return ai->resident ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(ai->alloc_size);
    case A_INIT:
        return ai->resident ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(ai->init_size);
    case A_LOWEST:
        return ai->resident ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(ai->lowest_vcn);
    case A_HIGHEST:
        return ai->resident ? Py_NewRef(Py_None) : PyLong_FromLongLong(ai->highest_vcn);
    case A_CU:
        return PyLong_FromUnsignedLong(ai->resident || ai->cu_shift == 0 ? 0u
                                                                         : 1u << ai->cu_shift);
    case A_COMPRESSED: return PyBool_FromLong((ai->flags & NTX_ATTR_FLAG_COMPRESSED) != 0);
    case A_SPARSE: return PyBool_FromLong((ai->flags & NTX_ATTR_FLAG_SPARSE) != 0);
    case A_ENCRYPTED: return PyBool_FromLong((ai->flags & NTX_ATTR_FLAG_ENCRYPTED) != 0);
    default: break;
    }
    PyErr_SetString(PyExc_SystemError, "bad Attribute field");
    return NULL;
}

static PyObject *attr_read(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "offset", "size", NULL };
    unsigned long long off = 0;
    Py_ssize_t size = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Kn:read", kwlist, &off, &size))
        return NULL;
    AttrObject *a = (AttrObject *)self;
    VolumeObject *v = a->file->vol;
    uint64_t total = a->ai.size;
    uint64_t want = off >= total ? 0 : total - off;
    if (size >= 0 && (uint64_t)size < want)
        want = (uint64_t)size;
    if (want > (uint64_t)PY_SSIZE_T_MAX)
        return PyErr_NoMemory();
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)want);
    if (b == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(b);
    size_t done = 0;
    VGuard g;
    if (vol_enter(v, &g) < 0) {
        Py_DECREF(b);
        return NULL;
    }
    ntx_err rc = NTX_OK;
    while (done < want) { /* bound: every step reads at least one byte, or ends */
        size_t got = 0;
        rc = ntx_attr_read(&a->file->f, &a->ai, off + done, p + done, (size_t)(want - done),
                           &got);
        if (rc != NTX_OK) {
            vol_note(&g);
            break;
        }
        if (got == 0)
            break;
        done += got;
    }
    vol_leave(&g);
    if (rc != NTX_OK) {
        Py_DECREF(b);
        char what[96];
        const char *tn = ntxpy_attr_type_name(a->ai.type);
        snprintf(what, sizeof what, "record %llu %s", (unsigned long long)a->file->f.mft_no,
                 tn ? tn : "attribute");
        return ntxpy_raise_g(rc, &g, what, NULL);
    }
    if (done < want && _PyBytes_Resize(&b, (Py_ssize_t)done) < 0)
        return NULL;
    return b;
}

static PyObject *run_object(const ntx_run *r)
{
    PyObject *items[3] = {
        PyLong_FromUnsignedLongLong(r->vcn),
        r->lcn == NTX_LCN_HOLE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(r->lcn),
        PyLong_FromUnsignedLongLong(r->len),
    };
    return fill_seq(PyStructSequence_New(Run_Type), items, 3);
}

static PyObject *attr_runs(PyObject *self, PyObject *unused)
{
    (void)unused;
    AttrObject *a = (AttrObject *)self;
    if (a->ai.resident)
        return PyList_New(0);
    VolumeObject *v = a->file->vol;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    ntx_run_iter it;
    ntx_run r;
    ntx_run *runs = NULL;
    size_t n = 0, cap = 0;
    ntx_err rc = ntx_run_iter_open(&it, &a->file->f, &a->ai);
    while (rc == NTX_OK && (rc = ntx_run_iter_next(&it, &r)) == NTX_OK) {
        if (n == cap) {
            size_t c = cap ? 2 * cap : 64;
            ntx_run *p = realloc(runs, c * sizeof *p);
            if (p == NULL) {
                rc = NTX_E_BUFFER;
                break;
            }
            runs = p;
            cap = c;
        }
        runs[n++] = r;
    }
    if (rc != NTX_END)
        vol_note(&g);
    vol_leave(&g);
    if (rc == NTX_E_BUFFER) {
        free(runs);
        return PyErr_NoMemory();
    }
    if (rc != NTX_END) {
        free(runs);
        char what[64];
        snprintf(what, sizeof what, "record %llu runlist", (unsigned long long)a->ai.rec_no);
        return ntxpy_raise_g(rc, &g, what, NULL);
    }
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *o = run_object(&runs[i]);
        if (o == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, o);
    }
    free(runs);
    return list;
}

static PyObject *attr_repr(PyObject *self)
{
    const ntx_attr_info *ai = &((AttrObject *)self)->ai;
    const char *tn = ntxpy_attr_type_name(ai->type);
    PyObject *type = tn ? PyUnicode_FromString(tn) : PyUnicode_FromFormat("0x%x", ai->type);
    if (type == NULL)
        return NULL;
    PyObject *r;
    if (ai->name_len > 0) {
        PyObject *name = ntxpy_name(ai->name, ai->name_len, false);
        if (name == NULL) {
            Py_DECREF(type);
            return NULL;
        }
        r = PyUnicode_FromFormat("<ntx.Attribute %U:%R id %u %s, %llu bytes>", type, name,
                                 ai->instance, ai->resident ? "resident" : "non-resident",
                                 (unsigned long long)ai->size);
        Py_DECREF(name);
    } else {
        r = PyUnicode_FromFormat("<ntx.Attribute %U id %u %s, %llu bytes>", type, ai->instance,
                                 ai->resident ? "resident" : "non-resident",
                                 (unsigned long long)ai->size);
    }
    Py_DECREF(type);
    return r;
}

#define AG(name, id, doc) { name, attr_get, NULL, doc, (void *)(intptr_t)(id) }
static PyGetSetDef attr_getset[] = {
    AG("type", A_TYPE, "attribute type (AT_*)"),
    AG("type_name", A_TYPE_NAME, "'$DATA', '$FILE_NAME', ... or the type in hex"),
    AG("name", A_NAME, "attribute name, '' for none"),
    AG("flags", A_FLAGS, "ATTR_FLAG_*"),
    AG("resident", A_RESIDENT, "the value is in the record"),
    AG("instance", A_INSTANCE, "attribute id within its record"),
    AG("record", A_RECORD, "record holding this attribute (extent)"),
    AG("record_offset", A_ATTR_OFF, "its byte offset in that record"),
    AG("size", A_SIZE, "value length (resident) or data size"),
    AG("allocated_size", A_ALLOC, "non-resident: allocated bytes, else None"),
    AG("initialized_size", A_INIT, "non-resident: initialized bytes, else None"),
    AG("lowest_vcn", A_LOWEST, "non-resident: first VCN of this extent, else None"),
    AG("highest_vcn", A_HIGHEST, "non-resident: last VCN (-1 for an empty value), else None"),
    AG("compression_unit", A_CU, "compression unit in clusters, 0 if not compressed"),
    AG("compressed", A_COMPRESSED, "ATTR_FLAG_COMPRESSED"),
    AG("sparse", A_SPARSE, "ATTR_FLAG_SPARSE"),
    AG("encrypted", A_ENCRYPTED, "ATTR_FLAG_ENCRYPTED"),
    { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef attr_methods[] = {
    { "read", (PyCFunction)(void (*)(void))attr_read, METH_VARARGS | METH_KEYWORDS,
      "read(offset=0, size=-1) -> bytes\n\nBytes of the value: resident values from the record "
      "holding them; non-resident ones as the whole stream of that type and name (every "
      "extent), an encrypted one as stored." },
    { "runs", attr_runs, METH_NOARGS,
      "runs() -> list[Run]\n\nThe runs of this extent as stored: (vcn, lcn or None for a hole, "
      "length in clusters)." },
    { NULL, NULL, 0, NULL },
};

PyTypeObject Attribute_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.Attribute",
    .tp_basicsize = sizeof(AttrObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One attribute of a file (one extent of a split one), from File.attributes().",
    .tp_dealloc = attr_dealloc,
    .tp_repr = attr_repr,
    .tp_getset = attr_getset,
    .tp_methods = attr_methods,
};

static PyObject *f_attributes(PyObject *self, PyObject *unused)
{
    (void)unused;
    FileObject *o = (FileObject *)self;
    VGuard g;
    if (vol_enter(o->vol, &g) < 0)
        return NULL;
    ntx_attr_info *ais;
    size_t n;
    ntx_err rc = collect_attrs(o->vol, &o->f, &ais, &n, &g);
    vol_leave(&g);
    if (rc != NTX_OK) {
        free(ais);
        if (rc == NTX_E_BUFFER)
            return PyErr_NoMemory();
        return file_raise(o, rc, &g, "attributes");
    }
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *a = attr_new(o, &ais[i]);
        if (a == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, a);
    }
    free(ais);
    return list;
}

/* ---- names, streams ---- */

PyObject *filename_object(const ntx_dirent *de, bool as_bytes, unsigned instance,
                          uint32_t value_len)
{
    PyObject *items[] = {
        ntxpy_name(de->name, de->name_len, as_bytes),
        PyUnicode_FromString(ntxpy_namespace_name(de->name_space)),
        PyLong_FromUnsignedLongLong(de->parent_ref),
        ntxpy_datetime(de->times[NTX_TIME_CREATE]),
        ntxpy_datetime(de->times[NTX_TIME_MODIFY]),
        ntxpy_datetime(de->times[NTX_TIME_MFT_CHANGE]),
        ntxpy_datetime(de->times[NTX_TIME_ACCESS]),
        ntxpy_filetimes(de->times),
        PyLong_FromUnsignedLongLong(de->alloc_size),
        PyLong_FromUnsignedLongLong(de->data_size),
        PyLong_FromUnsignedLong(de->file_attrs),
        PyLong_FromUnsignedLong(de->reparse_tag),
        PyBool_FromLong(de->is_dir),
        PyLong_FromUnsignedLong(instance),
        PyLong_FromUnsignedLong(value_len),
    };
    return fill_seq(PyStructSequence_New(FileName_Type), items, 15);
}

static PyObject *f_names(PyObject *self, PyObject *unused)
{
    (void)unused;
    FileObject *o = (FileObject *)self;
    VolumeObject *v = o->vol;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    ntx_attr_info *ais;
    size_t n;
    ntx_err rc = collect_attrs(v, &o->f, &ais, &n, &g);
    ntx_dirent *des = rc == NTX_OK ? calloc(n ? n : 1, sizeof *des) : NULL;
    size_t *which = rc == NTX_OK ? calloc(n ? n : 1, sizeof *which) : NULL;
    size_t nd = 0;
    if (rc == NTX_OK && (des == NULL || which == NULL))
        rc = NTX_E_BUFFER;
    for (size_t i = 0; rc == NTX_OK && i < n; i++) {
        if (ais[i].type != NTX_AT_FILE_NAME || !ais[i].resident)
            continue;
        size_t got = 0;
        rc = ntx_attr_read(&o->f, &ais[i], 0, v->scratch, 1024, &got);
        if (rc == NTX_OK)
            rc = ntx_file_name_parse(v->scratch, got, &des[nd]);
        if (rc != NTX_OK) {
            vol_note(&g);
            break;
        }
        which[nd++] = i;
    }
    vol_leave(&g);
    if (rc != NTX_OK) {
        free(ais);
        free(which);
        free(des);
        if (rc == NTX_E_BUFFER)
            return PyErr_NoMemory();
        return file_raise(o, rc, &g, "$FILE_NAME");
    }
    PyObject *list = PyList_New((Py_ssize_t)nd);
    for (size_t i = 0; list != NULL && i < nd; i++) {
        const ntx_attr_info *ai = &ais[which[i]];
        PyObject *x = filename_object(&des[i], false, ai->instance, (uint32_t)ai->size);
        if (x == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, x);
    }
    free(ais);
    free(which);
    free(des);
    return list;
}

static PyObject *f_streams(PyObject *self, PyObject *unused)
{
    (void)unused;
    FileObject *o = (FileObject *)self;
    VGuard g;
    if (vol_enter(o->vol, &g) < 0)
        return NULL;
    ntx_attr_info *ais;
    size_t n;
    ntx_err rc = collect_attrs(o->vol, &o->f, &ais, &n, &g);
    vol_leave(&g);
    if (rc != NTX_OK) {
        free(ais);
        if (rc == NTX_E_BUFFER)
            return PyErr_NoMemory();
        return file_raise(o, rc, &g, "attributes");
    }
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list != NULL && i < n; i++) {
        const ntx_attr_info *ai = &ais[i];
        if (ai->type != NTX_AT_DATA || !(ai->resident || ai->lowest_vcn == 0))
            continue;
        PyObject *items[] = {
            ntxpy_name(ai->name, ai->name_len, false),
            PyLong_FromUnsignedLongLong(ai->size),
            PyLong_FromUnsignedLongLong(ai->resident ? ai->size : ai->alloc_size),
            PyBool_FromLong(ai->resident),
            PyLong_FromLong(ai->flags),
            PyBool_FromLong((ai->flags & NTX_ATTR_FLAG_COMPRESSED) != 0),
            PyBool_FromLong((ai->flags & NTX_ATTR_FLAG_SPARSE) != 0),
            PyBool_FromLong((ai->flags & NTX_ATTR_FLAG_ENCRYPTED) != 0),
        };
        PyObject *s = fill_seq(PyStructSequence_New(StreamInfo_Type), items, 8);
        if (s == NULL || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(s);
    }
    free(ais);
    return list;
}

static PyObject *f_readlink(PyObject *self, PyObject *unused)
{
    (void)unused;
    FileObject *o = (FileObject *)self;
    VolumeObject *v = o->vol;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    char *out = (char *)v->scratch + NTX_REPARSE_BUFFER_SIZE;
    size_t len = 0;
    ntx_err rc = ntx_file_readlink(&o->f, v->scratch, NTX_REPARSE_BUFFER_SIZE, out,
                                   NTXPY_LINK_CAP, &len);
    char *copy = NULL;
    if (rc == NTX_OK) {
        copy = malloc(len ? len : 1);
        if (copy != NULL)
            memcpy(copy, out, len);
    } else {
        vol_note(&g);
    }
    vol_leave(&g);
    if (rc != NTX_OK)
        return file_raise(o, rc, &g, NULL);
    if (copy == NULL)
        return PyErr_NoMemory();
    PyObject *s = PyUnicode_DecodeUTF8(copy, (Py_ssize_t)len, "surrogatepass");
    free(copy);
    return s;
}

static PyObject *utf8_or_none(const char *s, size_t n)
{
    if (s == NULL)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "surrogatepass");
}

static PyObject *f_reparse_point(PyObject *self, PyObject *unused)
{
    (void)unused;
    FileObject *o = (FileObject *)self;
    VolumeObject *v = o->vol;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    ntx_reparse rp;
    ntx_err rc = ntx_file_reparse(&o->f, v->scratch, NTXPY_SCRATCH, &rp);
    /* copy what the buffer holds before the lock goes */
    uint8_t *copy = NULL;
    size_t subst_at = 0, print_at = 0, total = 0;
    if (rc == NTX_OK) {
        total = rp.value_len;
        if (rp.subst != NULL) {
            subst_at = total;
            total += rp.subst_utf8_len;
        }
        if (rp.print != NULL) {
            print_at = total;
            total += rp.print_utf8_len;
        }
        copy = malloc(total ? total : 1);
        if (copy != NULL) {
            memcpy(copy, v->scratch, rp.value_len);
            if (rp.subst != NULL)
                memcpy(copy + subst_at, rp.subst, rp.subst_utf8_len);
            if (rp.print != NULL)
                memcpy(copy + print_at, rp.print, rp.print_utf8_len);
        }
    } else if (rc != NTX_E_NOT_FOUND) {
        vol_note(&g);
    }
    vol_leave(&g);
    if (rc == NTX_E_NOT_FOUND)
        Py_RETURN_NONE;
    if (rc != NTX_OK)
        return file_raise(o, rc, &g, "$REPARSE_POINT");
    if (copy == NULL)
        return PyErr_NoMemory();
    PyObject *items[] = {
        PyLong_FromUnsignedLong(rp.tag),
        PyLong_FromUnsignedLong(rp.flags),
        PyBool_FromLong(rp.subst != NULL && (rp.flags & NTX_SYMLINK_RELATIVE) != 0),
        PyBytes_FromStringAndSize((const char *)copy, (Py_ssize_t)rp.value_len),
        utf8_or_none(rp.subst ? (const char *)copy + subst_at : NULL, rp.subst_utf8_len),
        utf8_or_none(rp.print ? (const char *)copy + print_at : NULL, rp.print_utf8_len),
    };
    free(copy);
    return fill_seq(PyStructSequence_New(ReparsePoint_Type), items, 6);
}

static PyObject *f_scandir(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "system", "dos_names", NULL };
    int system = 0, dos = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$pp:scandir", kwlist, &system, &dos))
        return NULL;
    FileObject *o = (FileObject *)self;
    return scandir_new(o->vol, &o->f, o->path, o->path != Py_None && PyBytes_Check(o->path),
                       system, dos, false);
}

static PyObject *f_listdir(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "system", "dos_names", NULL };
    int system = 0, dos = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$pp:listdir", kwlist, &system, &dos))
        return NULL;
    FileObject *o = (FileObject *)self;
    PyObject *it = scandir_new(o->vol, &o->f, o->path,
                               o->path != Py_None && PyBytes_Check(o->path), system, dos, true);
    if (it == NULL)
        return NULL;
    PyObject *l = PySequence_List(it);
    Py_DECREF(it);
    return l;
}

/* The $I30 slack of a directory: names of deleted, renamed or moved
 * entries, from the index blocks, the $INDEX_ROOT and the MFT record past
 * its bytes in use. */
static PyObject *f_slack(PyObject *self, PyObject *unused)
{
    (void)unused;
    FileObject *o = (FileObject *)self;
    VolumeObject *v = o->vol;
    typedef struct {
        ntx_dirent de;
        ntx_slack_info info;
    } slack_row;
    slack_row *rows = NULL;
    size_t n = 0, cap = 0;
    VGuard g;
    if (vol_enter(v, &g) < 0)
        return NULL;
    ntx_slack_iter *it = malloc(sizeof *it);
    ntx_err rc = it ? ntx_slack_iter_open(it, &o->f) : NTX_E_BUFFER;
    while (rc == NTX_OK) { /* bound: the iterator's own (blocks of the directory) */
        if (n == cap) {
            size_t c = cap ? 2 * cap : 16;
            slack_row *p = realloc(rows, c * sizeof *p);
            if (p == NULL) {
                rc = NTX_E_BUFFER;
                break;
            }
            rows = p;
            cap = c;
        }
        rc = ntx_slack_iter_next_info(it, &rows[n].de, &rows[n].info);
        if (rc == NTX_OK)
            n++;
    }
    if (rc != NTX_END)
        vol_note(&g);
    vol_leave(&g);
    free(it);
    if (rc != NTX_END) {
        free(rows);
        if (rc == NTX_E_BUFFER)
            return PyErr_NoMemory();
        return file_raise(o, rc, &g, "$I30 slack");
    }
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        const ntx_dirent *de = &rows[i].de;
        PyObject *items[] = {
            ntxpy_name(de->name, de->name_len, false),
            PyUnicode_FromString(ntxpy_namespace_name(de->name_space)),
            PyLong_FromUnsignedLongLong(de->mft_ref),
            PyLong_FromUnsignedLongLong(de->parent_ref),
            ntxpy_datetime(de->times[NTX_TIME_CREATE]),
            ntxpy_datetime(de->times[NTX_TIME_MODIFY]),
            ntxpy_datetime(de->times[NTX_TIME_MFT_CHANGE]),
            ntxpy_datetime(de->times[NTX_TIME_ACCESS]),
            ntxpy_filetimes(de->times),
            PyLong_FromUnsignedLongLong(de->alloc_size),
            PyLong_FromUnsignedLongLong(de->data_size),
            PyLong_FromUnsignedLong(de->file_attrs),
            PyBool_FromLong(de->is_dir),
            PyLong_FromUnsignedLongLong(rows[i].info.block_vcn),
            PyLong_FromUnsignedLong(rows[i].info.offset),
            PyUnicode_FromString(ntx_slack_where_name(rows[i].info.where)),
            PyUnicode_FromString(ntx_slack_state_name(rows[i].info.state)),
            PyBool_FromLong(rows[i].info.header_lost),
            PyLong_FromUnsignedLongLong(rows[i].info.record),
        };
        PyObject *x = fill_seq(PyStructSequence_New(SlackEntry_Type), items, 19);
        if (x == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, x);
    }
    free(rows);
    return list;
}

/* ---- File getters ---- */

enum { F_RECORD, F_SEQUENCE, F_REFERENCE, F_IS_DIR, F_IN_USE, F_DELETED, F_PATH, F_VOLUME };

static PyObject *file_get(PyObject *self, void *closure)
{
    FileObject *o = (FileObject *)self;
    switch ((int)(intptr_t)closure) {
    case F_RECORD: return PyLong_FromUnsignedLongLong(o->f.mft_no);
    case F_SEQUENCE: return PyLong_FromLong(o->f.seq);
    case F_REFERENCE: return PyLong_FromUnsignedLongLong(NTX_REF(o->f.mft_no, o->f.seq));
    case F_IS_DIR: return PyBool_FromLong((o->f.rec_flags & NTX_REC_DIRECTORY) != 0);
    case F_IN_USE: return PyBool_FromLong((o->f.rec_flags & NTX_REC_IN_USE) != 0);
    case F_DELETED: return PyBool_FromLong((o->f.rec_flags & NTX_REC_IN_USE) == 0);
    case F_PATH: return Py_NewRef(o->path);
    case F_VOLUME: return Py_NewRef((PyObject *)o->vol);
    default: break;
    }
    PyErr_SetString(PyExc_SystemError, "bad File field");
    return NULL;
}

#define FG(name, id, doc) { name, file_get, NULL, doc, (void *)(intptr_t)(id) }
static PyGetSetDef file_getset[] = {
    FG("record", F_RECORD, "MFT record number"),
    FG("sequence", F_SEQUENCE, "its sequence number"),
    FG("reference", F_REFERENCE, "record | sequence << 48"),
    FG("is_dir", F_IS_DIR, "the record is a directory"),
    FG("in_use", F_IN_USE, "the record is in use"),
    FG("deleted", F_DELETED, "the record is not in use (a deleted file)"),
    FG("path", F_PATH, "the path it was opened by, or None"),
    FG("volume", F_VOLUME, "its Volume"),
    { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef file_methods[] = {
    { "stat", f_stat, METH_NOARGS, "stat() -> Stat" },
    { "open_stream", (PyCFunction)(void (*)(void))f_open_stream, METH_VARARGS | METH_KEYWORDS,
      "open_stream(name='', *, type=None, raw=False) -> Stream\n\nA read-only binary stream "
      "(io.RawIOBase) over the unnamed $DATA (name ''), a named $DATA stream, or with type "
      "any attribute of that type and name ($Secure:$SDS: type=AT_DATA...). raw=True reads an "
      "EFS-encrypted stream as its ciphertext. WOF and LZNT1 data reads uncompressed." },
    { "read_bytes", (PyCFunction)(void (*)(void))f_read_bytes, METH_VARARGS | METH_KEYWORDS,
      "read_bytes(name='') -> bytes\n\nThe whole of a $DATA stream." },
    { "streams", f_streams, METH_NOARGS,
      "streams() -> list[StreamInfo]\n\nThe $DATA streams: '' for the unnamed one, then the "
      "named ones (alternate data streams)." },
    { "attributes", f_attributes, METH_NOARGS,
      "attributes() -> list[Attribute]\n\nEvery attribute, across extension records (with an "
      "$ATTRIBUTE_LIST: the list, then each attribute it names, every extent of a split one)." },
    { "names", f_names, METH_NOARGS,
      "names() -> list[FileName]\n\nEvery $FILE_NAME: each hard link and the DOS alias, with its "
      "parent reference and its four times." },
    { "readlink", f_readlink, METH_NOARGS,
      "readlink() -> str\n\nThe target of a symbolic link or junction (NT prefix dropped, "
      "'\\\\' as '/'), or of an Interix symlink. NotFoundError if it is no link." },
    { "reparse_point", f_reparse_point, METH_NOARGS,
      "reparse_point() -> ReparsePoint | None\n\nThe raw $REPARSE_POINT and, for links, the "
      "substitute and print names as stored." },
    { "scandir", (PyCFunction)(void (*)(void))f_scandir, METH_VARARGS | METH_KEYWORDS,
      "scandir(*, system=False, dos_names=False) -> ScandirIterator\n\nThe entries of this "
      "directory (a deleted one too)." },
    { "listdir", (PyCFunction)(void (*)(void))f_listdir, METH_VARARGS | METH_KEYWORDS,
      "listdir(*, system=False, dos_names=False) -> list[str]" },
    { "slack", f_slack, METH_NOARGS,
      "slack() -> list[SlackEntry]\n\nNames recovered from the unused parts of this directory's "
      "$I30 index ($I30 slack: deleted, renamed or moved entries) in its index blocks, its "
      "$INDEX_ROOT and its MFT record past the bytes in use, each checked like a live entry "
      "and marked live, renamed, gone or unknown." },
    { NULL, NULL, 0, NULL },
};

PyTypeObject File_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ntx.File",
    .tp_basicsize = sizeof(FileObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An open MFT record: a file or directory (Volume.open(), Volume.open_record()).",
    .tp_dealloc = file_dealloc,
    .tp_repr = file_repr,
    .tp_getset = file_getset,
    .tp_methods = file_methods,
};

int ntxpy_init_file(PyObject *m)
{
    static PyStructSequence_Field fn_fields[] = {
        { "name", "the name (str; lone surrogates kept)" },
        { "namespace", "'posix', 'win32', 'dos' or 'win32+dos'" },
        { "parent_reference", "the directory, record | sequence << 48" },
        { "created", "datetime" },
        { "modified", "datetime" },
        { "changed", "datetime (MFT change)" },
        { "accessed", "datetime" },
        { "filetimes", "(created, modified, changed, accessed) as FILETIME ints" },
        { "allocated_size", "as the name records it (may be stale)" },
        { "size", "as the name records it (may be stale)" },
        { "file_attributes", "FILE_ATTRIBUTE_* as the name records them" },
        { "reparse_tag", "reparse tag recorded in the name" },
        { "is_dir", "a directory's name" },
        { "instance", "the attribute's id in its record (TSK's TYPE-ID: 48-ID)" },
        { "value_length", "bytes of the $FILE_NAME value (the size fls -m gives its line)" },
        { NULL, NULL },
    };
    static PyStructSequence_Desc fn_desc = {
        "ntx.FileName", "A $FILE_NAME attribute (File.names(), MftRecord.names).", fn_fields,
        15,
    };
    static PyStructSequence_Field si_fields[] = {
        { "name", "'' for the unnamed $DATA" },
        { "size", "data size" },
        { "allocated_size", "allocated bytes (the value's length when resident)" },
        { "resident", "in the MFT record" },
        { "flags", "ATTR_FLAG_*" },
        { "compressed", "LZNT1" },
        { "sparse", "sparse" },
        { "encrypted", "EFS" },
        { NULL, NULL },
    };
    static PyStructSequence_Desc si_desc = {
        "ntx.StreamInfo", "A $DATA stream of a file (File.streams()).", si_fields, 8,
    };
    static PyStructSequence_Field run_fields[] = {
        { "vcn", "first virtual cluster" },
        { "lcn", "first logical cluster, None for a sparse run" },
        { "length", "clusters" },
        { NULL, NULL },
    };
    static PyStructSequence_Desc run_desc = {
        "ntx.Run", "A run of a runlist.", run_fields, 3,
    };
    static PyStructSequence_Field rp_fields[] = {
        { "tag", "reparse tag" },
        { "flags", "symbolic links: 1 = relative" },
        { "relative", "a relative symbolic link" },
        { "data", "the raw $REPARSE_POINT value (header included)" },
        { "substitute_name", "links: the substitute name as stored, or None" },
        { "print_name", "links: the print name as stored, or None" },
        { NULL, NULL },
    };
    static PyStructSequence_Desc rp_desc = {
        "ntx.ReparsePoint", "A file's $REPARSE_POINT (File.reparse_point()).", rp_fields, 6,
    };
    static PyStructSequence_Field sl_fields[] = {
        { "name", "the recovered name" },
        { "namespace", "'posix', 'win32', 'dos' or 'win32+dos'" },
        { "reference", "the file it named, record | sequence << 48" },
        { "parent_reference", "its directory" },
        { "created", "datetime" },
        { "modified", "datetime" },
        { "changed", "datetime" },
        { "accessed", "datetime" },
        { "filetimes", "FILETIME ints" },
        { "allocated_size", "as recorded" },
        { "size", "as recorded" },
        { "file_attributes", "as recorded" },
        { "is_dir", "a directory's name" },
        { "block_vcn", "the index block it was found in (where == 'index_block'), else 0" },
        { "offset", "its byte offset in the block, or in the MFT record" },
        { "where", "'index_block', 'index_root' ($INDEX_ROOT past its entries) or "
                   "'record' (the MFT record past its bytes in use), as ntx mft --json says" },
        { "state", "'live' (a stale copy of a name the directory lists), 'renamed' (the file "
                   "lives on under another name), 'gone' or 'unknown'" },
        { "header_lost", "only the $FILE_NAME survived (the entry header was overwritten): "
                         "reference is 0" },
        { "record", "the MFT record holding the directory's $INDEX_ROOT" },
        { NULL, NULL },
    };
    static PyStructSequence_Desc sl_desc = {
        "ntx.SlackEntry", "A name recovered from $I30 slack (File.slack()).", sl_fields, 19,
    };
    FileName_Type = PyStructSequence_NewType(&fn_desc);
    StreamInfo_Type = PyStructSequence_NewType(&si_desc);
    Run_Type = PyStructSequence_NewType(&run_desc);
    ReparsePoint_Type = PyStructSequence_NewType(&rp_desc);
    SlackEntry_Type = PyStructSequence_NewType(&sl_desc);
    if (FileName_Type == NULL || StreamInfo_Type == NULL || Run_Type == NULL ||
        ReparsePoint_Type == NULL || SlackEntry_Type == NULL)
        return -1;
    if (PyType_Ready(&File_Type) < 0 || PyType_Ready(&Stat_Type) < 0 ||
        PyType_Ready(&Attribute_Type) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "File", (PyObject *)&File_Type) < 0 ||
        PyModule_AddObjectRef(m, "Stat", (PyObject *)&Stat_Type) < 0 ||
        PyModule_AddObjectRef(m, "Attribute", (PyObject *)&Attribute_Type) < 0 ||
        PyModule_AddObjectRef(m, "FileName", (PyObject *)FileName_Type) < 0 ||
        PyModule_AddObjectRef(m, "StreamInfo", (PyObject *)StreamInfo_Type) < 0 ||
        PyModule_AddObjectRef(m, "Run", (PyObject *)Run_Type) < 0 ||
        PyModule_AddObjectRef(m, "ReparsePoint", (PyObject *)ReparsePoint_Type) < 0 ||
        PyModule_AddObjectRef(m, "SlackEntry", (PyObject *)SlackEntry_Type) < 0)
        return -1;
    return 0;
}
