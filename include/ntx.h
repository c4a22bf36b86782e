/*
 * ntx.h - read-only NTFS 3.x for freestanding C: the one header applications include.
 *
 * Start with ntx_volume_mount() (volume.h), open files with
 * ntx_file_open_path() (file.h), list directories with ntx_dir_iter_next()
 * (dir.h) and read streams with ntx_stream_read(). Nothing is allocated;
 * every result code is an ntx_err (error.h).
 */
#ifndef NTX_H
#define NTX_H

#include "ntx/config.h"
#include "ntx/error.h"
#include "ntx/io.h"
#include "ntx/volume.h"
#include "ntx/file.h"
#include "ntx/dir.h"
#include "ntx/attr.h"
#include "ntx/utf16.h"
#include "ntx/partition.h"
#include "ntx/forensic.h"

#define NTX_VERSION_MAJOR 0
#define NTX_VERSION_MINOR 1
#define NTX_VERSION_PATCH 0
#define NTX_VERSION_STRING "0.1.0"

#endif
