"""Remember that a pack passed its checks, so an unchanged pack is not re-read at every start.

A clean pack is kept as a compiled copy (a pickle of the loaded models, without the parsed YAML
trees that only error reports need) in the user's cache folder. The record is keyed by the bytes
of every pack file, the codebook index, CodeDesk's version and the pack models' source: any edit
to a case, a new codebook, a new release or a changed model reads and checks the pack again.
The cache folder is the user's own, like the codebook index; a compiled copy that cannot be read
is ignored and rebuilt.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from simulator import __version__

if TYPE_CHECKING:
    from simulator.codebook.index import Codebook
    from simulator.packs.loaded import LoadedPack

_MODELS = Path(__file__).with_name("models.py")


def pack_digest(root: Path, index: Path) -> str:
    """Return a digest of a pack (folder or zip), the codebook index name and the version."""
    digest = hashlib.sha256(f"{__version__}\0{index.name}\0".encode())
    digest.update(_MODELS.read_bytes())
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(root) if path != root else path.name).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _marker(cache_dir: Path, digest: str) -> Path:
    return cache_dir / "pack-checks" / f"{digest}.pickle"


def checked_before(cache_dir: Path, digest: str) -> bool:
    """True when this exact pack passed its checks with this codebook and version."""
    return _marker(cache_dir, digest).exists()


def remember_checked(cache_dir: Path, digest: str, loaded: LoadedPack | None = None) -> None:
    """Record that this exact pack passed its checks, with its compiled copy when given.

    Best effort: a read-only or full cache folder only means the next start reads the pack again.
    """
    marker = _marker(cache_dir, digest)
    slim = None
    if loaded is not None:
        slim = dataclasses.replace(loaded, sources={}, inbox_sources={}, pack_source=None)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        partial = marker.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(slim, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(marker)
    except OSError:
        return


def _compiled(cache_dir: Path, digest: str, root: Path) -> LoadedPack | None:
    """Return the compiled copy of a checked pack, or None when there is none or it is unusable."""
    from simulator.packs.loaded import LoadedPack

    try:
        found = pickle.loads(_marker(cache_dir, digest).read_bytes())
    except Exception:  # any unreadable copy (corrupt, older Python, changed classes) is rebuilt
        return None
    if not isinstance(found, LoadedPack):
        return None
    return dataclasses.replace(found, root=root)


def compiled_pack(root: Path, index: Path, cache_dir: Path) -> LoadedPack | None:
    """The compiled copy of a pack that passed its checks with this codebook index, unchanged
    since; None when it must be read and checked again."""
    return _compiled(cache_dir, pack_digest(root, index), root)


def open_checked_pack(root: Path, book: Codebook, cache_dir: Path) -> LoadedPack:
    """Load a pack and check it against the codebook, or reuse its compiled copy when unchanged.

    Raises PackError listing every error when the pack does not load or does not pass its checks
    (warnings never block a pack).
    """
    digest = pack_digest(root, book.path)
    compiled = _compiled(cache_dir, digest, root)
    if compiled is not None:
        return compiled
    from simulator.packs.errors import PackError
    from simulator.packs.loader import load_pack
    from simulator.packs.validate import check_pack

    loaded = load_pack(root)
    problems = check_pack(loaded, book)
    if problems:
        raise PackError(problems)
    remember_checked(cache_dir, digest, loaded)
    return loaded
