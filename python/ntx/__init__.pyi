"""Type stubs of ntx, the read-only NTFS binding (python/README.md)."""
import builtins
import datetime
import io
import os
from typing import Any, Callable, Iterator, NamedTuple, Optional, Protocol, Tuple, Union, overload

__version__: str
CORE_VERSION: str
CHECKS: Tuple[str, ...]
CHECK_DOCS: Tuple[str, ...]
ERRORS: dict[int, type[Error]]

StrPath = Union[str, "os.PathLike[str]"]
BytesPath = Union[bytes, "os.PathLike[bytes]"]
AnyPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
FileTimes = Tuple[int, int, int, int]


class _Readable(Protocol):
    def seek(self, offset: int, whence: int = ..., /) -> int: ...


# ---- errors ----

class Error(Exception):
    code: Optional[int]
    check: Optional[int]
    check_name: Optional[str]
    record: Optional[int]
    offset: Optional[int]
    io_status: Optional[int]

class ReadError(Error): ...
class NotNTFSError(Error): ...
class CorruptError(Error): ...
class RangeError(Error): ...
class UnsupportedError(Error): ...
class NotFoundError(Error, FileNotFoundError): ...
class NotADirectoryError(Error, builtins.NotADirectoryError): ...
class IsADirectoryError(Error, builtins.IsADirectoryError): ...
class NameTooLongError(Error): ...
class BadNameError(Error): ...
class LimitError(Error): ...
class BufferTooSmallError(Error): ...
class WorkspaceError(Error): ...
class ArgumentError(Error): ...
class StaleError(Error): ...
class ConfigError(Error): ...
class ExternalDataError(Error): ...

class ImageError(Error):
    status: int

class ImageOpenError(ImageError, OSError): ...
class EmptyImageError(ImageError): ...
class ContainerUnsupportedError(ImageError): ...
class ContainerError(ImageError): ...
class TruncatedImageError(ImageError): ...
class BitLockerError(ImageError): ...
class ForeignVolumeError(ImageError): ...
class NoVolumeError(ImageError): ...
class PartitionChoiceError(ImageError): ...
class ShadowCopyError(ImageError): ...
class ImageReadError(ImageError): ...
class ImageArgumentError(ImageError, ValueError): ...


# ---- rows ----

class VolumeInfo(NamedTuple):
    label: str
    version: str
    major: int
    minor: int
    flags: int
    dirty: bool
    serial: int
    sector_size: int
    cluster_size: int
    record_size: int
    index_block_size: int
    block_size: int
    total_sectors: int
    cluster_count: int
    mft_records: int
    mft_lcn: int
    mftmirr_lcn: int
    from_backup: bool
    container: str
    container_detail: Optional[str]
    media_size: Optional[int]
    partition: Optional[int]
    partition_scheme: Optional[str]
    volume_offset: int
    vss_store: Optional[int]
    vss_identifier: Optional[str]
    vss_creation_time: Optional[datetime.datetime]

class VssStore(NamedTuple):
    index: int
    identifier: str
    copy_identifier: str
    copy_set_identifier: str
    creation_time: Optional[datetime.datetime]
    creation_filetime: int
    volume_size: int
    attribute_flags: int
    has_in_volume_data: bool

class Partition(NamedTuple):
    index: int
    scheme: str
    type: Union[int, str]
    name: str
    offset: int
    size: int
    maybe_ntfs: bool

class FileName(NamedTuple):
    name: str
    namespace: str
    parent_reference: int
    created: Optional[datetime.datetime]
    modified: Optional[datetime.datetime]
    changed: Optional[datetime.datetime]
    accessed: Optional[datetime.datetime]
    filetimes: FileTimes
    allocated_size: int
    size: int
    file_attributes: int
    reparse_tag: int
    is_dir: bool
    instance: int
    value_length: int

class StreamInfo(NamedTuple):
    name: str
    size: int
    allocated_size: int
    resident: bool
    flags: int
    compressed: bool
    sparse: bool
    encrypted: bool

class Run(NamedTuple):
    vcn: int
    lcn: Optional[int]
    length: int

class ReparsePoint(NamedTuple):
    tag: int
    flags: int
    relative: bool
    data: bytes
    substitute_name: Optional[str]
    print_name: Optional[str]

class SlackEntry(NamedTuple):
    name: str
    namespace: str
    reference: int
    parent_reference: int
    created: Optional[datetime.datetime]
    modified: Optional[datetime.datetime]
    changed: Optional[datetime.datetime]
    accessed: Optional[datetime.datetime]
    filetimes: FileTimes
    allocated_size: int
    size: int
    file_attributes: int
    is_dir: bool
    block_vcn: int
    offset: int
    where: str
    state: str
    header_lost: bool
    record: int

class RecordStream(NamedTuple):
    name: str
    type: int
    size: int
    allocated_size: int
    instance: int
    flags: int
    resident: bool

class UsnRecord(NamedTuple):
    usn: int
    time: Optional[datetime.datetime]
    timestamp: int
    reference: int
    record: int
    sequence: int
    parent_reference: int
    parent_record: int
    parent_sequence: int
    reason: int
    reasons: Tuple[str, ...]
    file_attributes: int
    source_info: int
    security_id: int
    major: int
    minor: int
    name: str
    offset: int

class TimelineRow(NamedTuple):
    path: Optional[str]
    stream: Optional[str]
    source: Optional[str]
    attribute_type: Optional[int]
    attribute_id: Optional[int]
    size: int
    record: int
    sequence: int
    deleted: bool
    is_dir: bool
    file_attributes: int
    owner_id: int
    filetimes: FileTimes
    created: Optional[datetime.datetime]
    modified: Optional[datetime.datetime]
    changed: Optional[datetime.datetime]
    accessed: Optional[datetime.datetime]


# ---- objects ----

class Stat:
    record: int
    sequence: int
    reference: int
    parent_reference: int
    parent_record: int
    size: int
    allocated_size: int
    created: Optional[datetime.datetime]
    modified: Optional[datetime.datetime]
    changed: Optional[datetime.datetime]
    accessed: Optional[datetime.datetime]
    fn_created: Optional[datetime.datetime]
    fn_modified: Optional[datetime.datetime]
    fn_changed: Optional[datetime.datetime]
    fn_accessed: Optional[datetime.datetime]
    si_filetimes: FileTimes
    fn_filetimes: FileTimes
    file_attributes: int
    reparse_tag: int
    reparse_target: Optional[str]
    link_count: int
    name_count: int
    owner_id: int
    security_id: int
    usn: int
    data_form: str
    data_flags: int
    data_resident: bool
    has_data: bool
    wof_algorithm: Optional[str]
    wof_chunk_size: Optional[int]
    stored_size: Optional[int]
    external: Optional[str]
    is_dir: bool
    is_symlink: bool
    in_use: bool
    deleted: bool
    st_mode: int
    st_ino: int
    st_dev: int
    st_nlink: int
    st_uid: int
    st_gid: int
    st_size: int
    st_atime: float
    st_mtime: float
    st_ctime: float
    st_birthtime: float
    st_atime_ns: int
    st_mtime_ns: int
    st_ctime_ns: int
    st_birthtime_ns: int
    st_file_attributes: int
    st_reparse_tag: int

class Stream(io.RawIOBase):
    name: str
    size: int
    type: int
    resident: bool
    flags: int
    allocated_size: int
    initialized_size: int
    record: int
    mode: str
    compressed: bool
    sparse: bool
    encrypted: bool
    wof_algorithm: Optional[str]
    def readinto(self, b: Any, /) -> int: ...
    def read(self, size: Optional[int] = ..., /) -> bytes: ...
    def readall(self) -> bytes: ...
    def seek(self, offset: int, whence: int = ..., /) -> int: ...
    def tell(self) -> int: ...
    def runs(self) -> list[Run]: ...

class Attribute:
    type: int
    type_name: str
    name: str
    flags: int
    resident: bool
    instance: int
    record: int
    record_offset: int
    size: int
    allocated_size: Optional[int]
    initialized_size: Optional[int]
    lowest_vcn: Optional[int]
    highest_vcn: Optional[int]
    compression_unit: int
    compressed: bool
    sparse: bool
    encrypted: bool
    def read(self, offset: int = ..., size: int = ...) -> bytes: ...
    def runs(self) -> list[Run]: ...

class File:
    record: int
    sequence: int
    reference: int
    is_dir: bool
    in_use: bool
    deleted: bool
    path: Optional[Union[str, bytes]]
    volume: Volume
    def stat(self) -> Stat: ...
    def open_stream(self, name: str = ..., *, type: Optional[int] = ...,
                    raw: bool = ...) -> Stream: ...
    def read_bytes(self, name: str = ...) -> bytes: ...
    def streams(self) -> list[StreamInfo]: ...
    def attributes(self) -> list[Attribute]: ...
    def names(self) -> list[FileName]: ...
    def readlink(self) -> str: ...
    def reparse_point(self) -> Optional[ReparsePoint]: ...
    def scandir(self, *, system: bool = ..., dos_names: bool = ...) -> ScandirIterator: ...
    def listdir(self, *, system: bool = ..., dos_names: bool = ...) -> list[Any]: ...
    def slack(self) -> list[SlackEntry]: ...

class DirEntry:
    name: Union[str, bytes]
    path: Union[str, bytes]
    reference: int
    record: int
    sequence: int
    parent_reference: int
    namespace: str
    size: int
    allocated_size: int
    file_attributes: int
    reparse_tag: int
    filetimes: FileTimes
    created: Optional[datetime.datetime]
    modified: Optional[datetime.datetime]
    changed: Optional[datetime.datetime]
    accessed: Optional[datetime.datetime]
    def inode(self) -> int: ...
    def is_dir(self, *, follow_symlinks: bool = ...) -> bool: ...
    def is_file(self, *, follow_symlinks: bool = ...) -> bool: ...
    def is_symlink(self) -> bool: ...
    def stat(self, *, follow_symlinks: bool = ...) -> Stat: ...
    def file(self) -> File: ...
    def open(self, name: str = ...) -> Stream: ...
    def __fspath__(self) -> Union[str, bytes]: ...

class ScandirIterator(Iterator[DirEntry]):
    def __next__(self) -> DirEntry: ...
    def close(self) -> None: ...
    def __enter__(self) -> ScandirIterator: ...
    def __exit__(self, *args: Any) -> bool: ...

class MftRecord:
    record: int
    sequence: int
    reference: int
    state: str
    in_use: bool
    deleted: bool
    is_dir: bool
    flags: int
    lsn: int
    base_reference: Optional[int]
    link_count: int
    attribute_count: int
    name: Optional[str]
    namespace: Optional[str]
    parent_reference: Optional[int]
    names: Tuple[FileName, ...]
    streams: Tuple[RecordStream, ...]
    size: Optional[int]
    has_data: bool
    file_attributes: Optional[int]
    owner_id: int
    security_id: int
    usn: int
    si_filetimes: Optional[FileTimes]
    created: Optional[datetime.datetime]
    modified: Optional[datetime.datetime]
    changed: Optional[datetime.datetime]
    accessed: Optional[datetime.datetime]
    fn_filetimes: Optional[FileTimes]
    fn_created: Optional[datetime.datetime]
    fn_modified: Optional[datetime.datetime]
    fn_changed: Optional[datetime.datetime]
    fn_accessed: Optional[datetime.datetime]
    error: Optional[Error]
    path: Optional[str]
    paths: Tuple[str, ...]
    orphan: Optional[bool]
    def open(self) -> File: ...

class MftIterator(Iterator[MftRecord]):
    def __next__(self) -> MftRecord: ...

class UsnIterator(Iterator[UsnRecord]):
    skipped: list[int]
    size: int
    def __next__(self) -> UsnRecord: ...

class Volume:
    info: VolumeInfo
    closed: bool
    source: Union[AnyPath, _Readable]
    record_count: int
    def __init__(self, source: Union[AnyPath, _Readable], partition: Optional[int] = ...,
                 offset: Optional[int] = ..., vss: Optional[int] = ..., *,
                 cache_bytes: Optional[int] = ...) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Volume: ...
    def __exit__(self, *args: Any) -> bool: ...
    def open(self, path: AnyPath) -> File: ...
    def open_record(self, ref: int, *, deleted: bool = ...) -> File: ...
    def stat(self, path: AnyPath) -> Stat: ...
    def exists(self, path: AnyPath) -> bool: ...
    @overload
    def listdir(self, path: Union[StrPath, File, DirEntry] = ..., *, system: bool = ...,
                dos_names: bool = ...) -> list[str]: ...
    @overload
    def listdir(self, path: BytesPath, *, system: bool = ...,
                dos_names: bool = ...) -> list[bytes]: ...
    def scandir(self, path: Union[AnyPath, File, DirEntry] = ..., *, system: bool = ...,
                dos_names: bool = ...) -> ScandirIterator: ...
    def walk(self, top: Union[AnyPath, File, DirEntry] = ..., topdown: bool = ...,
             onerror: Optional[Callable[[Error], Any]] = ..., *,
             system: bool = ...) -> Iterator[Tuple[Any, list[Any], list[Any]]]: ...
    def mft(self, start: int = ..., stop: Optional[int] = ...) -> MftIterator: ...
    def timeline(self) -> Iterator[TimelineRow]: ...
    def usn(self, path: AnyPath = ..., stream: str = ..., *,
            strict: bool = ...) -> UsnIterator: ...
    def count_free(self) -> Tuple[int, int]: ...
    def count_records(self) -> Tuple[int, int]: ...
    def clusters_in_use(self, lcn: int, count: int, /) -> int: ...
    def vss_stores(self) -> list[VssStore]: ...


def open(source: Union[AnyPath, _Readable], partition: Optional[int] = ...,
         offset: Optional[int] = ..., vss: Optional[int] = ..., *,
         cache_bytes: Optional[int] = ...) -> Volume: ...
def filetime_to_datetime(ft: int, /) -> Optional[datetime.datetime]: ...
def features() -> list[Tuple[str, Optional[str], Optional[str], Optional[str]]]: ...
def partitions(source: Union[AnyPath, _Readable]) -> list[Partition]: ...

AT_STANDARD_INFORMATION: int
AT_ATTRIBUTE_LIST: int
AT_FILE_NAME: int
AT_OBJECT_ID: int
AT_SECURITY_DESCRIPTOR: int
AT_VOLUME_NAME: int
AT_VOLUME_INFORMATION: int
AT_DATA: int
AT_INDEX_ROOT: int
AT_INDEX_ALLOCATION: int
AT_BITMAP: int
AT_REPARSE_POINT: int
AT_EA_INFORMATION: int
AT_EA: int
AT_LOGGED_UTILITY_STREAM: int
FILE_ATTRIBUTE_READONLY: int
FILE_ATTRIBUTE_HIDDEN: int
FILE_ATTRIBUTE_SYSTEM: int
FILE_ATTRIBUTE_DIRECTORY: int
FILE_ATTRIBUTE_ARCHIVE: int
FILE_ATTRIBUTE_SPARSE_FILE: int
FILE_ATTRIBUTE_REPARSE_POINT: int
FILE_ATTRIBUTE_COMPRESSED: int
FILE_ATTRIBUTE_ENCRYPTED: int
ATTR_FLAG_COMPRESSED: int
ATTR_FLAG_ENCRYPTED: int
ATTR_FLAG_SPARSE: int
IO_REPARSE_TAG_MOUNT_POINT: int
IO_REPARSE_TAG_SYMLINK: int
IO_REPARSE_TAG_WOF: int
IO_REPARSE_TAG_DEDUP: int
IO_REPARSE_TAG_HSM: int
IO_REPARSE_TAG_HSM2: int
RECORD_IN_USE: int
RECORD_DIRECTORY: int
RECORD_EXTEND: int
RECORD_VIEW_INDEX: int
MFT_ROOT: int
MFT_FIRST_USER: int
