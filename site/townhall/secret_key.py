"""The key that signs session cookies and CSRF tokens: from TOWNHALL_SECRET_KEY, else a file in the instance folder.

The file (``<instance>/secret_key``, readable by its owner only) is made the
first time anything needs it, so a fresh checkout runs safely without anyone
choosing a key, and the key is never in the repository. Several workers may
start at once: the key is written to a temporary file and then linked into
place, which fails for all but the first, so every worker ends up reading the
same whole key.

`make run` calls ``python -m townhall.secret_key`` before the server starts.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path

FILENAME = "secret_key"
KEY_BYTES = 32
SHORTEST = 16  # a key set by hand that is shorter than this is a mistake


class SecretKeyError(RuntimeError):
    """The key set in the environment cannot be used (too short)."""


def key_path(instance_folder: Path | str) -> Path:
    return Path(instance_folder) / FILENAME


def read_key(instance_folder: Path | str) -> str | None:
    path = key_path(instance_folder)
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return key or None


def ensure_key(instance_folder: Path | str) -> tuple[str, bool]:
    """The key in the instance folder, made now if there is none: (key, whether it was made now)."""
    existing = read_key(instance_folder)
    if existing:
        return existing, False
    folder = Path(instance_folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".secret-key-")  # created with mode 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(KEY_BYTES) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, key_path(folder))
            made = True
        except FileExistsError:
            made = False  # another worker got there first: use its key
    finally:
        os.unlink(temporary)
    key = read_key(folder)
    if not key:
        raise SecretKeyError(f"{key_path(folder)} is empty: delete it and start again")
    return key, made


def secret_key(settings: dict) -> tuple[str, bool]:
    """(key, made now) for an app's settings: TOWNHALL_SECRET_KEY when set, else the instance folder's key."""
    configured = str(settings.get("TOWNHALL_SECRET_KEY") or "")
    if configured:
        if len(configured) < SHORTEST:
            raise SecretKeyError(f"TOWNHALL_SECRET_KEY must be at least {SHORTEST} characters long: "
                                 "use a random one, e.g. python3 -c 'import secrets; print(secrets.token_hex(32))'")
        return configured, False
    return ensure_key(settings["TOWNHALL_INSTANCE"])


def main() -> int:
    """Make the key for the settings in the environment, unless TOWNHALL_SECRET_KEY is set (`make run`)."""
    from .config import from_environment

    settings = from_environment()
    if settings.get("TOWNHALL_SECRET_KEY"):
        sys.stdout.write("TOWNHALL_SECRET_KEY is set: no key file needed.\n")
        return 0
    _key, made = ensure_key(settings["TOWNHALL_INSTANCE"])
    path = key_path(settings["TOWNHALL_INSTANCE"])
    sys.stdout.write(f"{'Made a new secret key in' if made else 'Using the secret key in'} {path}.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
