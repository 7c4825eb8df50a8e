"""Where uploaded files' bytes and rendered documents live, so that any host serves what another stored.

Uploaded files are content-addressed (the SHA-256 is the name), so a file is written once, never changed,
and the same bytes uploaded twice are kept once. The default is the data folder (`files/ab/abcdef…`);
with CERTFLOW_S3_BUCKET set, an S3-compatible bucket (key `sha256/abcdef…`) through boto3. The database
row is written after the bytes are stored: a failed transaction leaves at most an unreferenced blob,
never a row without its file.

Rendered documents (certificates, receipts, notices) are kept by name — a name that changes with their
content and template — in the data folder's `documents/` or the bucket's `documents/` prefix."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from core.settings import Settings


class FileStore(Protocol):
    kind: str

    def put(self, sha256: str, content: bytes) -> None: ...

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...


class DocumentCache(Protocol):
    where: str  # for people: the folder or the bucket's prefix

    def read(self, name: str) -> bytes | None: ...

    def write(self, name: str, content: bytes) -> None: ...

    def present(self, names: Iterable[str]) -> set[str]: ...


def write_atomically(path: Path, content: bytes, *, sync: bool = False) -> None:
    """Write aside, then rename: a reader never sees half a file, two writers of the same bytes agree.
    `sync`: on the disk before the rename (an upload is the only copy; a rendered document can be rendered again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class LocalStore:
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, sha256: str, content: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        write_atomically(path, content, sync=True)
        os.chmod(path, 0o444)

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)


class LocalDocuments:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.where = str(root)

    def read(self, name: str) -> bytes | None:
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, name: str, content: bytes) -> None:
        write_atomically(self.root / name, content)

    def present(self, names: Iterable[str]) -> set[str]:
        return {name for name in names if (self.root / name).exists()}


class S3Store:
    kind = "s3"

    def __init__(self, settings: Settings) -> None:
        import boto3  # only an instance configured for S3 needs it loaded

        credentials = {"aws_access_key_id": settings.s3_access_key, "aws_secret_access_key": settings.s3_secret_key} \
            if settings.s3_access_key else {}
        self.client = boto3.client("s3", endpoint_url=settings.s3_endpoint or None, region_name=settings.s3_region,
                                   **credentials)
        self.bucket = settings.s3_bucket

    @staticmethod
    def _key(sha256: str) -> str:
        return f"sha256/{sha256}"

    def put(self, sha256: str, content: bytes) -> None:
        if not self.exists(sha256):
            self.client.put_object(Bucket=self.bucket, Key=self._key(sha256), Body=content,
                                   ChecksumAlgorithm="SHA256")

    def get(self, sha256: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"].read()

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))

    def exists(self, sha256: str) -> bool:
        return _object_exists(self.client, self.bucket, self._key(sha256))


def _object_exists(client, bucket: str, key: str) -> bool:
    """HEAD on the object: missing is False, any other refusal an error."""
    from botocore.exceptions import ClientError

    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


class S3Documents:
    def __init__(self, store: S3Store) -> None:
        self.client, self.bucket = store.client, store.bucket
        self.where = f"s3://{store.bucket}/documents/"

    @staticmethod
    def _key(name: str) -> str:
        return f"documents/{name}"

    def read(self, name: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def write(self, name: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=content, ChecksumAlgorithm="SHA256")

    def _has(self, name: str) -> bool:
        return _object_exists(self.client, self.bucket, self._key(name))

    def present(self, names: Iterable[str]) -> set[str]:
        names = list(names)
        with ThreadPoolExecutor(max_workers=8) as pool:  # one HEAD each: a batch's hundreds in parallel
            return {name for name, found in zip(names, pool.map(self._has, names), strict=True) if found}


_stores: dict[tuple[str, str, str], FileStore] = {}
_documents: dict[tuple[str, str, str], DocumentCache] = {}


def for_settings(settings: Settings) -> FileStore:
    """The instance's store (one client per configuration: boto3 clients are thread-safe)."""
    key = (settings.s3_bucket, settings.s3_endpoint, str(settings.data_dir))
    if key not in _stores:
        _stores[key] = S3Store(settings) if settings.s3_bucket else LocalStore(settings.data_dir / "files")
    return _stores[key]


def documents_for(settings: Settings) -> DocumentCache:
    """The instance's rendered documents: beside the uploaded files (the same bucket when there is one)."""
    key = (settings.s3_bucket, settings.s3_endpoint, str(settings.data_dir))
    if key not in _documents:
        store = for_settings(settings)
        _documents[key] = S3Documents(store) if isinstance(store, S3Store) else \
            LocalDocuments(settings.data_dir / "documents")
    return _documents[key]
