/*
 * yal.c - loading the container libraries (libewf, libvhdi, libvmdk,
 * libqcow, libvshadow with libbfio) when an image needs them.
 *
 * Why dlopen() and not plain linking: each of these libraries carries its
 * own copy of the libyal support libraries (libcdata, libcerror, libfdata,
 * libbfio, libuna...) and exports it. Linked into one program, the first
 * copy in link order serves every library's calls, so libewf (2014) would
 * run on libvhdi's 2021 libfdata. Loaded RTLD_LOCAL into a program that
 * links none of them, each library resolves its calls to its own copies, as
 * in its own tools (ewfinfo, vshadowinfo). Loading them also costs a few
 * milliseconds per process (measured: a program linked with all six starts
 * 7 ms slower), which a raw image should not pay.
 *
 * Which libraries a build knows is decided at configure time (pkg-config:
 * host/CMakeLists.txt), which also records the soname to load.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef struct lib_desc {
    const char *soname;       /* NULL: not built in */
    const char *library;      /* "libewf" */
    const char *dev_package;  /* Debian package to build with it */
    const char *run_package;  /* Debian package to run with it */
    const char *version_fn;   /* "libewf_get_version" */
} lib_desc;

#ifndef NTX_HOST_EWF_SONAME
#define NTX_HOST_EWF_SONAME NULL
#endif
#ifndef NTX_HOST_VHDI_SONAME
#define NTX_HOST_VHDI_SONAME NULL
#endif
#ifndef NTX_HOST_VMDK_SONAME
#define NTX_HOST_VMDK_SONAME NULL
#endif
#ifndef NTX_HOST_QCOW_SONAME
#define NTX_HOST_QCOW_SONAME NULL
#endif
#ifndef NTX_HOST_VSHADOW_SONAME
#define NTX_HOST_VSHADOW_SONAME NULL
#endif
#ifndef NTX_HOST_BFIO_SONAME
#define NTX_HOST_BFIO_SONAME NULL
#endif

static const lib_desc libs[HOST_LIB_COUNT] = {
    [HOST_LIB_EWF] = { NTX_HOST_EWF_SONAME, "libewf", "libewf-dev", "libewf2",
                       "libewf_get_version" },
    [HOST_LIB_VHDI] = { NTX_HOST_VHDI_SONAME, "libvhdi", "libvhdi-dev", "libvhdi1",
                        "libvhdi_get_version" },
    [HOST_LIB_VMDK] = { NTX_HOST_VMDK_SONAME, "libvmdk", "libvmdk-dev", "libvmdk1",
                        "libvmdk_get_version" },
    [HOST_LIB_QCOW] = { NTX_HOST_QCOW_SONAME, "libqcow", "libqcow-dev", "libqcow1",
                        "libqcow_get_version" },
    [HOST_LIB_VSHADOW] = { NTX_HOST_VSHADOW_SONAME, "libvshadow", "libvshadow-dev",
                           "libvshadow1", "libvshadow_get_version" },
    [HOST_LIB_BFIO] = { NTX_HOST_BFIO_SONAME, "libbfio", "libbfio-dev", "libbfio1",
                        "libbfio_get_version" },
};

/* Handles of the libraries loaded so far: loaded once per process and kept
 * (a library's state is its own; unloading buys nothing). */
static void *handles[HOST_LIB_COUNT];

bool host_lib_built(host_lib_id id)
{
    return libs[id].soname != NULL;
}

static void *lib_handle(host_lib_id id, const char *what, ntx_host_error *err)
{
    const lib_desc *d = &libs[id];
    if (d->soname == NULL) {
        host_fail(err, NTX_HOST_E_UNSUPPORTED, 0,
                  "%s, but this ntx was built without %s: install the Debian package %s and "
                  "build ntx again",
                  what, d->library, d->dev_package);
        return NULL;
    }
    if (handles[id] == NULL) {
        handles[id] = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);
        if (handles[id] == NULL) {
            const char *why = dlerror();
            host_fail(err, NTX_HOST_E_UNSUPPORTED, 0,
                      "%s, but %s cannot be loaded (%s): install the Debian package %s", what,
                      d->soname, why != NULL ? why : "not found", d->run_package);
            return NULL;
        }
    }
    return handles[id];
}

bool host_lib_load(host_lib_id id, const host_sym *syms, size_t nsyms, const char *what,
                   ntx_host_error *err)
{
    void *h = lib_handle(id, what, err);
    if (h == NULL)
        return false;
    for (size_t i = 0; i < nsyms; i++) {
        void *p = dlsym(h, syms[i].name);
        if (p == NULL) {
            host_fail(err, NTX_HOST_E_UNSUPPORTED, 0,
                      "%s, but the installed %s lacks %s: install the Debian package %s", what,
                      libs[id].soname, syms[i].name, libs[id].run_package);
            return false;
        }
        *syms[i].slot = p;
    }
    return true;
}

/* ---- the list for --version ---- */

#ifndef NTX_HOST_EWF_VERSION
#define NTX_HOST_EWF_VERSION NULL
#endif
#ifndef NTX_HOST_VHDI_VERSION
#define NTX_HOST_VHDI_VERSION NULL
#endif
#ifndef NTX_HOST_VMDK_VERSION
#define NTX_HOST_VMDK_VERSION NULL
#endif
#ifndef NTX_HOST_QCOW_VERSION
#define NTX_HOST_QCOW_VERSION NULL
#endif
#ifndef NTX_HOST_VSHADOW_VERSION
#define NTX_HOST_VSHADOW_VERSION NULL
#endif

static const ntx_host_feature features[] = {
    { "raw (file or block device)", NULL, "", NULL, NULL },
    { "split raw (.001, .aa)", NULL, "", NULL, NULL },
    { "E01", "libewf", NTX_HOST_EWF_VERSION, "libewf-dev", "libewf2" },
    { "VHD/VHDX", "libvhdi", NTX_HOST_VHDI_VERSION, "libvhdi-dev", "libvhdi1" },
    { "VMDK", "libvmdk", NTX_HOST_VMDK_VERSION, "libvmdk-dev", "libvmdk1" },
    { "qcow2", "libqcow", NTX_HOST_QCOW_VERSION, "libqcow-dev", "libqcow1" },
    { "shadow copies", "libvshadow", NTX_HOST_VSHADOW_VERSION, "libvshadow-dev",
      "libvshadow1" },
};

const ntx_host_feature *ntx_host_features(size_t *count)
{
    *count = sizeof features / sizeof features[0];
    return features;
}

const char *ntx_host_feature_runtime_version(const ntx_host_feature *f)
{
    if (f->library == NULL || f->built_version == NULL)
        return NULL;
    for (unsigned id = 0; id < HOST_LIB_COUNT; id++) {
        if (strcmp(libs[id].library, f->library) != 0)
            continue;
        ntx_host_error err;
        const char *(*get_version)(void) = NULL;
        host_sym sym = { libs[id].version_fn, (void **)&get_version };
        if (!host_lib_load((host_lib_id)id, &sym, 1, f->name, &err))
            return NULL;
        return get_version();
    }
    return NULL;
}
