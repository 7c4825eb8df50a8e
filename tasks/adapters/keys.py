"""Server-side keys (holder links, device cookies), one file each under DATA_DIR/secrets.

Created once, atomically: two processes starting together both read the key that won."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def server_key(data_dir: Path, name: str) -> bytes:
    path = Path(data_dir) / "secrets" / f"{name}.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
    key = path.read_bytes()
    if len(key) != 32:  # read while the winner was still writing: read again
        import time

        time.sleep(0.05)
        key = path.read_bytes()
    return key
