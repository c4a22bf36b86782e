"""The sample fixture in every container ntx_host reads, made by the real
tools (qemu-img, ewfacquirestream; a format whose tool is missing is
skipped) or by splitting the file: each opens by path with the container
named in Volume.info and gives the raw image's tree and the manifest's
SHA-256 of every file."""
import os
import shutil
import subprocess

import pytest

import ntx
from conftest import manifest, sha256_stream, tool_env

FORMATS = {  # name: (Volume.info.container, tool)
    "split": ("split raw", None),
    "vhd": ("VHD", "qemu-img"),
    "vhdx": ("VHDX", "qemu-img"),
    "vmdk": ("VMDK", "qemu-img"),
    "qcow2": ("qcow2", "qemu-img"),
    "e01": ("E01", "ewfacquirestream"),
}


def make(fmt, raw, d):
    if fmt == "split":
        data = open(raw, "rb").read()
        third = (len(data) // 3 + 511) // 512 * 512
        for k in range(3):
            with open(os.path.join(d, "disk.%03d" % (k + 1)), "wb") as f:
                f.write(data[k * third:(k + 1) * third])
        return os.path.join(d, "disk.001")
    if fmt == "e01":
        with open(raw, "rb") as i:
            subprocess.run(["ewfacquirestream", "-q", "-t", os.path.join(d, "disk")], stdin=i,
                           stdout=subprocess.DEVNULL, check=True, env=tool_env(), timeout=120)
        return os.path.join(d, "disk.E01")
    out = os.path.join(d, "disk." + fmt)
    qfmt = {"vhd": "vpc"}.get(fmt, fmt)
    subprocess.run(["qemu-img", "convert", "-O", qfmt, raw, out], check=True,
                   stdout=subprocess.DEVNULL, env=tool_env(), timeout=120)
    return out


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_container(fmt, image, tmp_path):
    name, tool = FORMATS[fmt]
    if tool and shutil.which(tool) is None:
        pytest.skip("%s not found (Debian: qemu-utils, ewf-tools)" % tool)
    raw = image("sample")
    path = make(fmt, raw, str(tmp_path))
    with ntx.open(raw) as vol:
        want = list(vol.walk())
    with ntx.open(path) as vol:
        assert vol.info.container == name
        assert list(vol.walk()) == want
        for r in manifest("sample")[0]:
            if r["type"] == "f":
                with vol.open(r["path"]).open_stream() as s:
                    assert sha256_stream(s) == r["sha256"], r["path"]
