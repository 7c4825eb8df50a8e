"""Server-side keys (holder links, device cookies): derived from the shared secret CERTFLOW_KEYS_SECRET
when one is set (hosts without a shared disk sign and check alike), else one file each under
DATA_DIR/secrets, created once, atomically: two processes starting together both read the key that won."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from core.settings import Settings


def server_key(settings: Settings, name: str) -> bytes:
    if settings.keys_secret:  # one HMAC per name: knowing one key tells nothing of another
        return hmac.new(settings.keys_secret.encode(), f"certflow-key:{name}".encode(), hashlib.sha256).digest()
    return _key_file(settings.data_dir, name)


def _key_file(data_dir: Path, name: str) -> bytes:
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
        time.sleep(0.05)
        key = path.read_bytes()
    return key
