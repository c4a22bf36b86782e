"""Build of the ntx Python binding (python/README.md).

The extension ntx._ntx compiles the core (src/, the list in
src/sources.cmake) and the hosted image layer (host/, the list in
host/CMakeLists.txt) from the checkout this directory sits in, with the
binding's sources, in one shared object: one set of NTX_* definitions for
all of them, so the NTX_CONFIG_ID the core checks at mount is the binding's.
The container libraries (libewf, libvhdi, libvmdk, libqcow, libvshadow) are
found with pkg-config as host/CMakeLists.txt finds them, and loaded with
dlopen() when an image needs them, never linked.

Environment:
  NTX_CORE_DEFINITIONS   config.h values, ';'-separated (NTX_PROFILE=NTX_PROFILE_BOOT;...)
  NTX_HOST_EWF, _VHDI, _VMDK, _QCOW, _VSHADOW   AUTO (default), ON or OFF
  NTX_PY_CFLAGS          more compiler and linker flags (a sanitizer build)
  NTX_PY_WERROR=1        warnings are errors
"""
import os
import re
import shlex
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
os.chdir(HERE)  # the paths below are relative to this directory


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def need_checkout():
    for p in ("CMakeLists.txt", "src/sources.cmake", "host/CMakeLists.txt", "include/ntx.h"):
        if not os.path.exists(os.path.join(ROOT, p)):
            raise SystemExit("ntx's Python binding builds from a checkout of the ntx project: "
                             "%s is missing next to python/" % p)


def project_version():
    m = re.search(r"project\(\s*ntx\s+VERSION\s+([0-9][0-9.]*)", read("CMakeLists.txt"))
    if not m:
        raise SystemExit("no project(ntx VERSION ...) in CMakeLists.txt")
    return m.group(1)


def cmake_set(path, var):
    """The items of set(VAR ...) in a CMake file (no variables in them)."""
    m = re.search(r"set\(\s*%s\s+([^)]*)\)" % re.escape(var), read(path))
    if not m:
        raise SystemExit("no set(%s ...) in %s" % (var, path))
    return m.group(1).split()


def pkg_config(*args):
    if shutil.which("pkg-config") is None:
        return None
    r = subprocess.run(["pkg-config"] + list(args), capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def soname(module):
    """The soname of the library a pkg-config module names (libewf.so.2)."""
    libdir = pkg_config("--variable=libdir", module) or ""
    name = module[3:] if module.startswith("lib") else module
    path = os.path.join(libdir, "lib%s.so" % name)
    if os.path.exists(path) and shutil.which("objdump"):
        r = subprocess.run(["objdump", "-p", path], capture_output=True, text=True)
        m = re.search(r"SONAME\s+(\S+)", r.stdout)
        if m:
            return m.group(1)
    return "%s.so" % module


# (option, pkg-config module, extra modules), as host/CMakeLists.txt
HOST_LIBRARIES = [("EWF", "libewf", []), ("VHDI", "libvhdi", []), ("VMDK", "libvmdk", []),
                  ("QCOW", "libqcow", []), ("VSHADOW", "libvshadow", ["libbfio"])]


def host_definitions():
    macros, includes, found = [], [], []
    for name, module, extra in HOST_LIBRARIES:
        want = os.environ.get("NTX_HOST_" + name, "AUTO").upper()
        if want == "OFF":
            continue
        ok = all(pkg_config("--exists", m) is not None for m in [module] + extra)
        if not ok:
            if want == "ON":
                raise SystemExit("NTX_HOST_%s=ON but pkg-config finds no %s (Debian: apt-get "
                                 "install %s-dev)" % (name, module, module))
            continue
        version = pkg_config("--modversion", module) or ""
        macros += [("NTX_HOST_WITH_" + name, None),
                   ("NTX_HOST_%s_SONAME" % name, '"%s"' % soname(module)),
                   ("NTX_HOST_%s_VERSION" % name, '"%s"' % version)]
        for m in extra:
            x = (m[3:] if m.startswith("lib") else m).upper()
            macros.append(("NTX_HOST_%s_SONAME" % x, '"%s"' % soname(m)))
        for flag in shlex.split(pkg_config("--cflags-only-I", module, *extra) or ""):
            if flag.startswith("-I") and flag[2:] not in includes:
                includes.append(flag[2:])
        found.append("%s %s" % (module, version))
    return macros, includes, found


def core_definitions():
    out = []
    for d in filter(None, os.environ.get("NTX_CORE_DEFINITIONS", "").split(";")):
        if not re.match(r"^NTX_[A-Za-z0-9_]+(=[^ \t'\"\\]+)?$", d):
            raise SystemExit("NTX_CORE_DEFINITIONS: %r is not NTX_NAME or NTX_NAME=VALUE" % d)
        name, _, value = d.partition("=")
        out.append((name, value or None))
    return out


def checks_header():
    """The check ids of include/ntx/error.h (enum ntx_check) with their
    comments, as two C arrays indexed by id."""
    text = read("include/ntx/error.h")
    body = re.search(r"typedef enum ntx_check \{(.*?)\} ntx_check;", text, re.S)
    if not body:
        raise SystemExit("no enum ntx_check in include/ntx/error.h")
    names, docs = [], []
    for line in body.group(1).splitlines():
        m = re.match(r"\s*NTX_CHK_([A-Z0-9_]+)\s*(=\s*(\d+))?\s*,?\s*(/\*(.*?)\*/)?\s*$", line)
        if not m:
            continue
        if m.group(3) is not None and int(m.group(3)) != len(names):
            raise SystemExit("ntx_check: NTX_CHK_%s = %s is not in sequence" % (m.group(1),
                                                                                m.group(3)))
        names.append(m.group(1))
        docs.append((m.group(5) or "").strip())

    def c_str(s):
        return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')
    return ("/* generated by python/setup.py from include/ntx/error.h */\n"
            "static const char *const ntxpy_check_names[] = {\n%s\n};\n"
            "static const char *const ntxpy_check_docs[] = {\n%s\n};\n") % (
        ",\n".join("    " + c_str(n) for n in names),
        ",\n".join("    " + c_str(d) for d in docs))


class BuildExt(build_ext):
    """Writes the generated header into the build tree, compiles the core's
    and host's sources (in parallel with -j; without -Werror: their own
    CMake targets hold them to stricter warnings, a compiler's new warning
    there must not stop this build), then builds the extension with them."""

    def build_extensions(self):
        gen = os.path.join(os.path.abspath(self.build_temp), "ntx-generated")
        os.makedirs(gen, exist_ok=True)
        header = os.path.join(gen, "ntx_checks.h")
        text = checks_header()
        old = open(header, encoding="utf-8").read() if os.path.exists(header) else None
        if old != text:
            with open(header, "w", encoding="utf-8") as f:
                f.write(text)
        for ext in self.extensions:
            ext.include_dirs.insert(0, gen)
            ext.depends.append(header)
        super().build_extensions()

    def build_extension(self, ext):
        sources, args = getattr(ext, "ntx_lib", ([], []))
        if sources:
            from concurrent.futures import ThreadPoolExecutor

            def one(src):
                return self.compiler.compile(
                    [src], output_dir=self.build_temp, macros=ext.define_macros,
                    include_dirs=ext.include_dirs, debug=self.debug, extra_postargs=args,
                    depends=ext.depends)
            with ThreadPoolExecutor(max_workers=max(1, int(self.parallel or 1))) as pool:
                objects = [o for objs in pool.map(one, sources) for o in objs]
            ext.extra_objects = objects + [o for o in ext.extra_objects if o not in objects]
        super().build_extension(ext)


def extension():
    need_checkout()
    # setuptools wants sources relative to setup.py: the core's and host's
    # are in the checkout around it (their objects land in the build tree)
    core = ["../src/" + s for s in cmake_set("src/sources.cmake", "NTX_CORE_SOURCES")]
    host = ["../host/" + s for s in cmake_set("host/CMakeLists.txt", "NTX_HOST_SOURCES")]
    binding = ["src/" + s for s in
               ("module.c", "volume.c", "file.c", "stream.c", "dir.c", "mft.c", "usn.c")]
    host_macros, host_includes, _ = host_definitions()
    flags = ["-std=c11", "-Wall", "-Wextra", "-Wno-missing-field-initializers",
             "-fvisibility=hidden", "-fno-strict-aliasing"]
    extra = shlex.split(os.environ.get("NTX_PY_CFLAGS", ""))
    werror = ["-Werror"] if os.environ.get("NTX_PY_WERROR") == "1" else []
    headers = [os.path.join(HERE, "src", "ntxpy.h")]
    for d in ("include", "include/ntx", "host", "host/include/ntx"):
        full = os.path.join(ROOT, d)
        headers += [os.path.join(full, f) for f in sorted(os.listdir(full)) if f.endswith(".h")]
    ext = Extension(
        "ntx._ntx",
        sources=binding,
        include_dirs=[os.path.join(ROOT, "include"), os.path.join(ROOT, "host", "include"),
                      os.path.join(ROOT, "src"), os.path.join(ROOT, "host")] + host_includes,
        define_macros=[("_GNU_SOURCE", None), ("NTXPY_VERSION", '"%s"' % project_version())] +
        core_definitions() + host_macros,
        extra_compile_args=flags + werror + extra,
        extra_link_args=extra,
        libraries=["dl"],
        depends=headers + core + host,
    )
    ext.ntx_lib = (core + host, flags + extra)
    return ext


setup(
    version=project_version(),
    packages=["ntx"],
    package_data={"ntx": ["py.typed", "*.pyi"]},
    ext_modules=[extension()],
    cmdclass={"build_ext": BuildExt},
)
