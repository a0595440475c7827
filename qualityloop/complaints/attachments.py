"""Checking and storing uploaded files.

A file is accepted when its content is one of the allowed kinds and its name says the same
kind; it is stored under ATTACHMENT_ROOT (outside the web root) by a random name and served
only through the complaint's access check.
"""

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
from django.conf import settings
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from qualityloop.core import clock
from qualityloop.core.errors import DomainError

# extension → the content types its content may show
ALLOWED: dict[str, set[str]] = {
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "png": {"image/png"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
    "bmp": {"image/bmp"},
    "tif": {"image/tiff"},
    "tiff": {"image/tiff"},
    "heic": {"image/heic"},
    "pdf": {"application/pdf"},
    "mp4": {"video/mp4"},
    "mov": {"video/quicktime"},
    "zip": {"application/zip"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    "doc": {"application/x-ole-storage", "application/msword"},
    "xls": {"application/x-ole-storage", "application/vnd.ms-excel"},
    "eml": {"message/rfc822"},
    "txt": {"text/plain"},
    "csv": {"text/csv"},
    "log": {"text/plain"},
}
TEXT_EXTENSIONS = {
    "txt": "text/plain",
    "csv": "text/csv",
    "log": "text/plain",
    "eml": "message/rfc822",
}
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    content_type: str
    size: int
    sha256: str
    storage_name: str


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # A multi-byte character cut by the end of the sample is still text.
            if exc.start >= len(head) - 4:
                return True
    return False


def detect(name: str, head: bytes) -> str:
    """The content type of an upload, or a DomainError saying why it is refused."""
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix not in ALLOWED:
        raise DomainError(
            _("Files of type “.%(ext)s” are not accepted. Accepted: %(list)s.")
            % {"ext": suffix or "?", "list": ", ".join(sorted(ALLOWED))},
            field="file",
        )
    if suffix in TEXT_EXTENSIONS:
        if _is_text(head):
            return TEXT_EXTENSIONS[suffix]
        found = None
    else:
        kind = filetype.guess(head)
        found = kind.mime if kind else None
        if found in ALLOWED[suffix]:
            return found
    raise DomainError(
        _("The content of “%(name)s” does not match its name (.%(ext)s).")
        % {"name": name, "ext": suffix},
        field="file",
    )


def store(upload) -> StoredFile:
    """Check ``upload`` (a Django UploadedFile or anything with name/size/chunks) and save it."""
    name = PurePath(upload.name or "file").name[:255]
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise DomainError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            field="file",
        )
    if not upload.size:
        raise DomainError(_("“%(name)s” is empty.") % {"name": name}, field="file")
    upload.seek(0)
    head = upload.read(8192)
    content_type = detect(name, head)
    upload.seek(0)

    now = clock.now()
    storage_name = f"{now:%Y/%m}/{secrets.token_hex(16)}"
    path = Path(settings.ATTACHMENT_ROOT) / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("xb") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > limit:
                    raise DomainError(
                        _("“%(name)s” is larger than %(limit)s.")
                        % {"name": name, "limit": filesizeformat(limit)},
                        field="file",
                    )
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredFile(name, content_type, size, digest.hexdigest(), storage_name)


def path_of(storage_name: str) -> Path:
    return Path(settings.ATTACHMENT_ROOT) / storage_name


def discard(stored: StoredFile) -> None:
    path_of(stored.storage_name).unlink(missing_ok=True)


def response(attachment) -> FileResponse:
    """The stored file, for an adapter that has already checked access to its complaint."""
    path = path_of(attachment.storage_name)
    if not path.is_file():
        raise Http404
    served = FileResponse(
        path.open("rb"),
        as_attachment=attachment.content_type not in INLINE_TYPES,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    served["X-Content-Type-Options"] = "nosniff"
    return served
