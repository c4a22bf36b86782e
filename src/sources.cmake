# The core's source files, relative to src/ (every variant of the core
# compiles exactly these).
set(NTX_CORE_SOURCES
  mem.c error.c device.c utf16.c upcase.c boot.c fixup.c record.c attr.c runlist.c attrlist.c
  stream.c lznt1.c index.c filename.c dir.c path.c file.c stdinfo.c reparse.c volume.c
  partition.c bitmap.c ea.c security.c usn.c slack.c efs.c)
