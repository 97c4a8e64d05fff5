"""Remember that a pack passed its checks, so an unchanged pack is not re-checked at every start.

The record is keyed by the bytes of every pack file, the codebook index and CodeDesk's version:
any edit to a case, a new codebook or a new release checks the pack again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from simulator import __version__


def pack_digest(root: Path, index: Path) -> str:
    """Return a digest of a pack (folder or zip), the codebook index name and the version."""
    digest = hashlib.sha256(f"{__version__}\0{index.name}\0".encode())
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(root) if path != root else path.name).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _marker(cache_dir: Path, digest: str) -> Path:
    return cache_dir / "pack-checks" / f"{digest}.ok"


def checked_before(cache_dir: Path, digest: str) -> bool:
    """True when this exact pack passed its checks with this codebook and version."""
    return _marker(cache_dir, digest).exists()


def remember_checked(cache_dir: Path, digest: str) -> None:
    """Record that this exact pack passed its checks (best effort: a read-only cache is fine)."""
    marker = _marker(cache_dir, digest)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("ok\n", encoding="utf-8")
    except OSError:
        return
