"""Content-addressed file store: files are named by their SHA-256 and never change.

A write goes to a temporary file in the same folder tree, is flushed to disk (fsync) and
then renamed into place, so a crash leaves either the whole file or nothing. Reads check
the hash, so a file altered on disk is refused rather than served.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from interp_service.errors import IntegrityFailure, NotFound, PayloadTooLarge

CHUNK = 1 << 20  # bytes read or written at a time


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size_bytes: int
    head: bytes  # first bytes, for sniffing the file type


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound("文件不存在")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put_chunks(self, chunks: Iterable[bytes], max_bytes: int | None = None) -> StoredBlob:
        """Store a stream of bytes; refuses (and leaves nothing) past `max_bytes`."""
        digest = hashlib.sha256()
        size = 0
        head = b""
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="up-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise PayloadTooLarge(f"文件超过上限 {max_bytes // 1_048_576} MiB")
                    if len(head) < 64:
                        head += chunk[: 64 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path_for(sha)
            if final.exists():
                tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp, 0o440)
                os.replace(tmp, final)
                _fsync_dir(final.parent)
            return StoredBlob(sha, size, head)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_file(self, source: BinaryIO, max_bytes: int | None = None) -> StoredBlob:
        return self.put_chunks(iter(lambda: source.read(CHUNK), b""), max_bytes)

    def put_bytes(self, data: bytes) -> StoredBlob:
        return self.put_chunks([data])

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def verify(self, sha256: str) -> bool:
        """True when the file exists and its content still hashes to its name."""
        path = self.path_for(sha256)
        if not path.exists():
            return False
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def read_verified(self, sha256: str) -> Iterator[bytes]:
        """Chunks of a stored file, after checking its hash (IntegrityFailure if altered)."""
        path = self.path_for(sha256)
        if not path.exists():
            raise NotFound("文件不存在")
        if not self.verify(sha256):
            raise IntegrityFailure("文件内容与其哈希不符，已拒绝读取；请联系管理员")
        return self._chunks(path)

    @staticmethod
    def _chunks(path: Path) -> Iterator[bytes]:
        with path.open("rb") as f:
            yield from iter(lambda: f.read(CHUNK), b"")

    def all_hashes(self) -> list[str]:
        return sorted(
            p.name for p in self.root.glob("??/??/*") if p.is_file() and len(p.name) == 64
        )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
