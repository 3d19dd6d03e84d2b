"""Evidence uploads: allow-listed types checked by content, stored outside the web root."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask_babel import gettext as _

from tracker.media_types import DOCX, XLSX
from tracker.services import settings
from tracker.services.errors import InvalidInput

# extension -> (content type, check of the first bytes / the archive)
ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": DOCX,
    "xlsx": XLSX,
}


# what a complaint takes, from the public or in a unit's reply: no DOCX or XLSX
PHOTO_OR_PDF = ("pdf", "jpg", "jpeg", "png")


@dataclass(frozen=True)
class Upload:
    """A file as it came in: its stream and the name it was sent with."""

    stream: IO[bytes]
    filename: str | None


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def _sniff(head: bytes, stream: IO[bytes]) -> str | None:
    """Return the extension the content really has, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


def safe_name(name: str | None) -> str:
    """Keep the last path part of a file name, without control characters, at most 200 chars."""
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return (cleaned.strip(" .") or "file")[-200:]


def store(folder: str | os.PathLike, stream: IO[bytes], filename: str | None, max_bytes: int,
          field: str = "files") -> StoredFile:
    """Check and store one upload; raise InvalidInput naming ``field`` if it is refused."""
    name = safe_name(filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise InvalidInput(_("File type not allowed."), {
            field: _("%(name)s: only PDF, JPG, PNG, DOCX and XLSX files are accepted.", name=name)})
    stream.seek(0)
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(_("File too large."), {
            field: _("%(name)s is larger than %(mb)d MB.", name=name, mb=max_bytes // 2**20)})
    if not data:
        raise InvalidInput(_("Empty file."), {field: _("%(name)s is empty.", name=name)})

    real = _sniff(data[:16], io.BytesIO(data))
    if real is None or ALLOWED[real] != ALLOWED[extension]:
        raise InvalidInput(_("File content does not match its type."), {
            field: _("%(name)s is not really a %(ext)s file.", name=name, ext=extension.upper())})
    stored_name = secrets.token_hex(16) + "." + real
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    (target / stored_name).write_bytes(data)
    return StoredFile(name, stored_name, ALLOWED[real], len(data), hashlib.sha256(data).hexdigest())


def store_all(folder: str | os.PathLike, files: Iterable, max_bytes: int,
              field: str = "files") -> list[StoredFile]:
    """Check and store several uploads (with ``stream`` and ``filename``): all or none.

    A refused file removes the ones already written, then the refusal is raised.
    """
    stored: list[StoredFile] = []
    try:
        for item in files:
            stored.append(store(folder, item.stream, item.filename, max_bytes, field))
    except InvalidInput:
        remove(folder, stored)
        raise
    return stored


def remove(folder: str | os.PathLike | None, stored: Iterable[StoredFile]) -> None:
    """Delete stored files (after a refusal or a failed transaction); missing ones are fine."""
    for item in stored:
        with contextlib.suppress(OSError):
            (Path(folder) / item.stored_name).unlink()


def store_photos_or_pdfs(folder: str | os.PathLike | None, files: Sequence[Upload], errors: dict[str, str],
                         *, max_files: int, field: str = "files") -> list[StoredFile]:
    """Check and store up to ``max_files`` PDF/JPG/PNG files; all of them or none.

    Files sent without a name are skipped. A refusal goes into ``errors`` under
    ``field`` and nothing is stored; with ``errors`` already set nothing is stored
    either. The size limit per file is the ``ledger.upload_max_mb`` setting.
    """
    files = [f for f in files if f.filename]
    if not files:
        return []
    if len(files) > max_files:
        errors[field] = _("At most %(n)d files.", n=max_files)
        return []
    for item in files:
        name = safe_name(item.filename)
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in PHOTO_OR_PDF:
            errors[field] = _("%(name)s: only PDF, JPG and PNG files are accepted.", name=name)
            return []
    if errors:
        return []
    max_bytes = int(settings.get("ledger.upload_max_mb")) * 2**20
    try:
        return store_all(folder, files, max_bytes, field)
    except InvalidInput as error:
        errors.update(error.fields or {field: error.message})
        return []
