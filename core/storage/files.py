"""The default attachment store: a directory, files under generated names."""

from __future__ import annotations

import mimetypes
import re
import uuid
from pathlib import Path

from core.errors import InvalidInputError
from core.ports import StoredFile

_SAFE_EXT = re.compile(r"^\.[a-z0-9]{1,8}$")


class DirectoryAttachmentStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def save(self, data: bytes, original_name: str, mime: str) -> StoredFile:
        # Never trust the sender's file name for the path: only a checked extension survives.
        ext = Path(original_name).suffix.lower()
        if not _SAFE_EXT.match(ext):
            ext = mimetypes.guess_extension(mime or "") or ".bin"
        relative = Path(uuid.uuid4().hex[:2]) / f"{uuid.uuid4().hex}{ext}"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return StoredFile(path=relative.as_posix(), size=len(data))

    def open(self, path: str) -> bytes:
        target = (self.root / path).resolve()
        if self.root.resolve() not in target.parents:
            raise InvalidInputError(f"attachment path outside the store: {path}")
        return target.read_bytes()
