"""Blobs: uploaded files, content-addressed by SHA-256, under the data directory.

A blob is written once to ``<root>/<aa>/<bb>/<sha256>`` (the same content uploaded
twice is kept once); uploads are streamed to a temporary file in ``<root>/tmp``
while their hash and size are counted, and refused past the size limit before
more is read. Rows in ``document_versions`` name the blobs; backup and restore
(store/backup.py) carry them. (An S3-compatible bucket is not built in: the
root is a local folder, which may be a mounted volume.)
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from openruimte.model.errors import OpenRuimteError

CHUNK = 1 << 16
#: how many first bytes are kept for sniffing
HEAD = 8192


class TooLarge(OpenRuimteError):
    code = "too_large"
    status = 413


@dataclass
class Received:
    """An upload on disk, not yet filed under its hash."""

    path: Path
    sha256: str
    size: int
    head: bytes


class BlobStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def receive(self, stream: BinaryIO, limit: int, name: str = "the file") -> Received:
        """Stream ``stream`` to a temporary file, counting hash and size; refuse it (and delete
        what was written) as soon as it passes ``limit`` bytes."""
        tmpdir = self.root / "tmp"
        tmpdir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=tmpdir, prefix="upload-")
        h = hashlib.sha256()
        size = 0
        head = b""
        try:
            with os.fdopen(fd, "wb") as out:
                while True:
                    chunk = stream.read(CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(f"{name} is larger than {limit} bytes; at most {limit} bytes may be uploaded")
                    if len(head) < HEAD:
                        head += chunk[: HEAD - len(head)]
                    h.update(chunk)
                    out.write(chunk)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Received(Path(tmp), h.hexdigest(), size, head)

    def keep(self, received: Received) -> Path:
        """File a received upload under its hash (dedup: an existing copy is kept, the new one dropped)."""
        target = self.path(received.sha256)
        if target.is_file():
            received.path.unlink(missing_ok=True)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(received.path, target)
        return target

    def discard(self, received: Received) -> None:
        received.path.unlink(missing_ok=True)

    def put_bytes(self, data: bytes) -> str:
        """Keep ``data`` (restore, demo); returns its hash."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return sha


def blob_root(store: object) -> Path:
    """The data directory of ``store``'s blobs: ``OPENRUIMTE_DATA_DIR``, else ``<db>.files``
    beside a SQLite file, else ``openruimte-data/<database name>`` in the working directory."""
    from openruimte.settings import Settings

    given = Settings().data_dir
    if given:
        return Path(given).expanduser().resolve()
    url = store.engine.url  # type: ignore[attr-defined]
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database).resolve()
        return db.with_name(db.name + ".files")
    return (Path.cwd() / "openruimte-data" / (url.database or "default")).resolve()


def blobs_of(store: object) -> BlobStore:
    return BlobStore(blob_root(store))
