# The core's source files, relative to src/ (every variant of the core
# compiles exactly these), layer by layer: each folder calls only into the
# folders listed before it (src/README.md; the core_layers test checks it).
set(NTX_CORE_SOURCES
  base/mem.c base/error.c
  parse/boot.c parse/fixup.c parse/record.c parse/attr.c parse/runlist.c parse/attrlist.c
  parse/index.c parse/filename.c parse/stdinfo.c parse/utf16.c parse/lznt1.c parse/ea.c
  parse/efs.c parse/xpress.c parse/lzx.c parse/wof.c parse/logfile.c
  device/device.c device/partition.c
  mft/alist.c mft/mft.c
  value/stream.c value/compressed.c value/wof.c value/read.c value/attrs.c value/runs.c
  tree/index.c tree/upcase.c tree/dir.c tree/path.c tree/file.c tree/readlink.c
  volume/volume.c volume/mftfile.c volume/bitmap.c
  forensic/slack.c forensic/security.c forensic/usn.c forensic/logfile.c
  forensic/fileslack.c)
