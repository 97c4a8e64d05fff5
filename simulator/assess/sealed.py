"""The sealed assessment file (.cdassess): the charts readable, the answer keys encrypted.

Format version 1 is a zip archive (see docs/ASSESSMENTS.md for every field):

- `mimetype` (first entry, stored uncompressed, so the bytes at offset 38 identify the file):
  `application/vnd.codedesk.sealed-assessment+zip`;
- `manifest.json`: format, version, the assessment's id, the pack's name and version, the time
  limit, the draw plan (strata of public case ids, difficulties, the difficulty total, the salt
  that derives candidates' seeds), the scrypt settings, the screener's X25519 public key and
  the SHA-256 of every public file;
- `README.txt`: what the file is, in plain words;
- `public/pack.yaml`, `public/cases/case-NN.yaml`: the public pack (no key material; see
  simulator/assess/public.py);
- `key-material.bin`: a 12-byte nonce, then AES-256-GCM ciphertext of the zlib-compressed JSON
  holding the original pack files and the map from public to real case ids. The manifest's
  exact bytes are its associated data, so a changed manifest no longer decrypts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import secrets
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.assess import crypto
from simulator.assess.draw import DrawError, DrawPlan, plan
from simulator.assess.errors import AssessError
from simulator.assess.public import public_case, public_ids, public_pack, public_pack_id, to_yaml
from simulator.packs.models import MAX_CASES, AssessmentRules, Selection

if TYPE_CHECKING:
    from simulator.codebook.index import Codebook
    from simulator.packs.errors import Problem
    from simulator.packs.loaded import LoadedPack

MIMETYPE = b"application/vnd.codedesk.sealed-assessment+zip"
"""The first entry of every sealed file, stored, as in ODF and EPUB."""
FORMAT = "codedesk-sealed-assessment"
"""The manifest's `format`."""
VERSION = 1
"""The format version this CodeDesk writes and reads."""
KEY_FORMAT = "codedesk-key-material"
"""The `format` of the encrypted part."""
MAX_ENTRIES = MAX_CASES + 16
"""Most entries a sealed file may hold (a case each, plus the fixed files)."""
MAX_BYTES = 128 * 1024 * 1024
"""Most bytes a sealed file may expand to."""
README = """\
This is a sealed CodeDesk assessment. Every patient in it is synthetic.

public/ holds the charts as a candidate sees them. The answer keys, the expected decisions and
the physician's answers are in key-material.bin, encrypted with the screener's passphrase.

Candidates: codedesk assess take THIS-FILE --candidate YOUR-ID
Screeners:  codedesk assess score RESULT-FILES... --sealed THIS-FILE
"""


class SealError(Exception):
    """The pack cannot be sealed: its problems, each located as file:line:col."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep every problem found."""
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def b64(data: bytes) -> str:
    """Encode bytes as standard base64 text."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, what: str) -> bytes:
    """Decode base64 text read from a file; raise ValueError naming the field when it is bad."""
    if not isinstance(text, str):
        raise ValueError(f"{what} is not base64 text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError(f"{what} is not valid base64") from None


def canonical(data: Mapping[str, Any]) -> bytes:
    """Serialize JSON the one way this format does: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


@dataclass(frozen=True)
class KeyMaterial:
    """The decrypted part of a sealed file: the original pack and the public-to-real id map."""

    pack_files: dict[str, bytes]
    """pack.yaml, cases/*.yaml and inbox/*.yaml exactly as sealed."""
    real_ids: dict[str, str]
    """Real case id by public id."""


@dataclass(frozen=True)
class SealedAssessment:
    """A sealed file, read and checked; the answer keys are still encrypted."""

    path: Path
    manifest: dict[str, Any]
    manifest_bytes: bytes
    """The manifest exactly as stored: the associated data of the key material."""
    public_files: dict[str, bytes]
    """The public pack's files by pack-relative name (pack.yaml, cases/case-01.yaml)."""
    sealed_part: bytes
    """key-material.bin: nonce and ciphertext."""
    id: str
    created_at: str
    pack_id: str
    pack_version: str
    pack_title: str
    code_year: int
    public_pack_id: str
    time_limit_minutes: float
    salt: bytes
    """Derives each candidate's seed and draw; public, like the draw plan."""
    plan: DrawPlan
    kdf: crypto.ScryptParams
    public_key: bytes
    """The screener's X25519 public key: results are encrypted to it."""

    @property
    def charts(self) -> int:
        """Charts per candidate."""
        return self.plan.charts


def _problems_of(root: Path, book: Codebook | None) -> tuple[LoadedPack, list[Problem]]:
    """Read and check a pack; return it with its errors (warnings never stop a seal)."""
    from simulator.packs.loader import read_pack
    from simulator.packs.validate import check_pack

    loaded, problems = read_pack(root)
    errors = [p for p in problems if p.is_error]
    if errors:
        return loaded, errors
    return loaded, check_pack(loaded, book)


def seal(
    root: Path,
    out: Path,
    passphrase: str,
    book: Codebook | None,
    *,
    scrypt_n: int = crypto.SCRYPT_N,
    now: datetime | None = None,
) -> SealedAssessment:
    """Seal a checked pack into out; raise SealError (pack problems) or AssessError."""
    from simulator import __version__
    from simulator.packs.source import read_source

    loaded, problems = _problems_of(root, book)
    if problems:
        raise SealError(problems)
    pack = loaded.pack
    rules = pack.assessment or AssessmentRules()
    assessment_id = secrets.token_hex(16)
    salt = os.urandom(16)
    ids = public_ids(loaded.cases, salt)
    try:
        draw_plan = plan(loaded.cases, rules, ids)
    except DrawError as exc:
        raise AssessError(Path(root) / "pack.yaml", str(exc)) from None
    drawable = {c for stratum in draw_plan.strata for c in stratum.cases}
    pack_id = public_pack_id(pack, assessment_id)
    notice = "Public part of a sealed CodeDesk assessment; every patient is synthetic."
    public_files = {"pack.yaml": to_yaml(public_pack(pack, pack_id), notice)}
    for case in loaded.cases:
        if ids[case.id] in drawable:
            public_files[f"cases/{ids[case.id]}.yaml"] = to_yaml(
                public_case(case, ids[case.id]), notice
            )
    params = crypto.ScryptParams.fresh(scrypt_n)
    keys = crypto.derive_keys(passphrase, params)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "id": assessment_id,
        "created_at": (now or datetime.now(UTC)).isoformat(),
        "codedesk": __version__,
        "pack": {
            "id": pack.id,
            "version": pack.version,
            "title": pack.title,
            "code_year": pack.code_year,
            "public_id": pack_id,
        },
        "time_limit_minutes": rules.time_limit_minutes,
        "charts": draw_plan.charts,
        "draw": {"salt": b64(salt), **draw_plan.to_json()},
        "kdf": params.to_json(b64),
        "screener_public_key": {"algorithm": "X25519", "key": b64(keys.public)},
        "cipher": "AES-256-GCM",
        "key_material": "key-material.bin",
        "public_files": {
            name: hashlib.sha256(data).hexdigest() for name, data in sorted(public_files.items())
        },
    }
    manifest_bytes = canonical(manifest)
    source = read_source(Path(root))
    secret = {
        "format": KEY_FORMAT,
        "version": VERSION,
        "pack_files": {name: b64(data) for name, data in sorted(source.files.items())},
        "real_ids": {public: real for real, public in sorted(ids.items())},
    }
    nonce, ciphertext = crypto.encrypt(
        keys.key, zlib.compress(canonical(secret), 9), manifest_bytes
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, zipfile.ZIP_STORED)
        archive.writestr("manifest.json", manifest_bytes, zipfile.ZIP_DEFLATED)
        archive.writestr("README.txt", README, zipfile.ZIP_DEFLATED)
        for name, data in sorted(public_files.items()):
            archive.writestr(f"public/{name}", data, zipfile.ZIP_DEFLATED)
        archive.writestr("key-material.bin", nonce + ciphertext, zipfile.ZIP_STORED)
    write_atomic(Path(out), buffer.getvalue(), 0o644)  # made to be handed out
    return read_sealed(Path(out))


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write a file whole or not at all (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _entries(path: Path) -> dict[str, bytes]:
    """Read every entry of the archive, refusing damaged, oversized and misordered ones."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                raise AssessError(path, f"holds {len(infos)} entries, more than {MAX_ENTRIES}")
            if sum(info.file_size for info in infos) > MAX_BYTES:
                raise AssessError(path, "expands to more than 128 MB; not a sealed assessment")
            if not infos or infos[0].filename != "mimetype":
                raise AssessError(path, "not a sealed CodeDesk assessment (no mimetype entry)")
            entries: dict[str, bytes] = {}
            for info in infos:
                if info.filename in entries:
                    raise AssessError(path, f"damaged: {info.filename} appears twice")
                entries[info.filename] = archive.read(info)
            return entries
    except zipfile.BadZipFile:
        raise AssessError(path, "not a sealed CodeDesk assessment (not a zip archive)") from None
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise AssessError(path, "no such file") from None
        raise AssessError(path, f"damaged: {exc}") from None


def _get(data: Mapping[str, Any], dotted: str, kind: type) -> Any:
    """Return a manifest field by dotted name, checking its type; raise ValueError when wrong."""
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise ValueError(f"the manifest has no {dotted}")
        value = value[part]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise ValueError(f"the manifest's {dotted} is not a {kind.__name__}")
    return value


def read_sealed(path: Path) -> SealedAssessment:
    """Read a sealed file and check everything that can be checked without the passphrase."""
    path = Path(path)
    entries = _entries(path)
    if entries["mimetype"] != MIMETYPE:
        raise AssessError(path, "not a sealed CodeDesk assessment (wrong mimetype)")
    raw = entries.get("manifest.json")
    if raw is None:
        raise AssessError(path, "damaged: manifest.json is missing")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AssessError(path, f"damaged: manifest.json is not JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise AssessError(path, "not a sealed CodeDesk assessment (unknown manifest format)")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise AssessError(path, "damaged: the manifest's version is not a whole number")
    if version > VERSION:
        raise AssessError(
            path,
            f"made by a newer CodeDesk (format version {version}); this CodeDesk reads version "
            f"{VERSION}: update CodeDesk",
        )
    try:
        sealed = _parse(path, manifest, raw, entries)
    except (ValueError, KeyError, TypeError) as exc:
        raise AssessError(path, f"damaged: {exc}") from None
    return sealed


def _parse(
    path: Path, manifest: dict[str, Any], raw: bytes, entries: Mapping[str, bytes]
) -> SealedAssessment:
    """Check the manifest's fields and the public files against their digests."""
    digests = _get(manifest, "public_files", dict)
    public: dict[str, bytes] = {}
    for name, digest in digests.items():
        data = entries.get(f"public/{name}")
        if data is None:
            raise ValueError(f"public/{name} is missing")
        if hashlib.sha256(data).hexdigest() != digest:
            raise ValueError(f"public/{name} was changed after sealing")
        public[name] = data
    extra = sorted(n for n in entries if n.startswith("public/") and n[7:] not in digests)
    if extra:
        raise ValueError(f"{extra[0]} was added after sealing")
    if "pack.yaml" not in public:
        raise ValueError("the public pack has no pack.yaml")
    key_name = _get(manifest, "key_material", str)
    sealed_part = entries.get(key_name)
    if sealed_part is None or len(sealed_part) < crypto.NONCE_BYTES + 16:
        raise ValueError(f"{key_name} is missing or cut short")
    kdf = crypto.ScryptParams(
        salt=unb64(_get(manifest, "kdf.salt", str), "kdf.salt"),
        n=_get(manifest, "kdf.n", int),
        r=_get(manifest, "kdf.r", int),
        p=_get(manifest, "kdf.p", int),
    )
    if _get(manifest, "kdf.name", str) != "scrypt":
        raise ValueError("the key derivation is not scrypt")
    wrong = kdf.check()
    if wrong:
        raise ValueError(wrong)
    public_key = unb64(_get(manifest, "screener_public_key.key", str), "screener_public_key")
    if len(public_key) != 32 or _get(manifest, "screener_public_key.algorithm", str) != "X25519":
        raise ValueError("the screener's public key is not a 32-byte X25519 key")
    if _get(manifest, "cipher", str) != "AES-256-GCM":
        raise ValueError("the cipher is not AES-256-GCM")
    draw = _get(manifest, "draw", dict)
    draw_plan = DrawPlan.from_json(draw)
    missing = [c for s in draw_plan.strata for c in s.cases if f"cases/{c}.yaml" not in public]
    if missing:
        raise ValueError(f"the draw names case {missing[0]}, which the public pack lacks")
    limit = _get(manifest, "time_limit_minutes", float)
    if not 0 < limit <= 24 * 60:
        raise ValueError("the time limit is not between 0 and 24 hours")
    salt = unb64(draw.get("salt"), "draw.salt")
    if len(salt) < 16:
        raise ValueError("the draw salt is shorter than 16 bytes")
    return SealedAssessment(
        path=path,
        manifest=manifest,
        manifest_bytes=raw,
        public_files=public,
        sealed_part=sealed_part,
        id=_get(manifest, "id", str),
        created_at=_get(manifest, "created_at", str),
        pack_id=_get(manifest, "pack.id", str),
        pack_version=_get(manifest, "pack.version", str),
        pack_title=_get(manifest, "pack.title", str),
        code_year=_get(manifest, "pack.code_year", int),
        public_pack_id=_get(manifest, "pack.public_id", str),
        time_limit_minutes=limit,
        salt=salt,
        plan=draw_plan,
        kdf=kdf,
        public_key=public_key,
    )


def screener_keys(sealed: SealedAssessment, passphrase: str) -> crypto.ScreenerKeys:
    """Derive the screener's keys; raise AssessError when the passphrase is not this file's."""
    keys = crypto.derive_keys(passphrase, sealed.kdf)
    if not secrets.compare_digest(keys.public, sealed.public_key):
        raise AssessError(
            sealed.path, "wrong passphrase (it does not give this file's screener key)"
        )
    return keys


def unlock(sealed: SealedAssessment, keys: crypto.ScreenerKeys) -> KeyMaterial:
    """Decrypt the answer keys; raise AssessError when the file was changed since sealing."""
    nonce = sealed.sealed_part[: crypto.NONCE_BYTES]
    ciphertext = sealed.sealed_part[crypto.NONCE_BYTES :]
    try:
        blob = crypto.decrypt(keys.key, nonce, ciphertext, sealed.manifest_bytes)
    except crypto.CryptoError:
        raise AssessError(
            sealed.path,
            "the file was changed after sealing: its key material does not authenticate",
        ) from None
    try:
        data = json.loads(zlib.decompress(blob, bufsize=1 << 16).decode("utf-8"))
        if data.get("format") != KEY_FORMAT or data.get("version") != VERSION:
            raise ValueError("unknown key-material format")
        files = {str(k): unb64(v, k) for k, v in dict(data["pack_files"]).items()}
        real_ids = {str(k): str(v) for k, v in dict(data["real_ids"]).items()}
    except (ValueError, KeyError, TypeError, zlib.error, UnicodeDecodeError) as exc:
        raise AssessError(sealed.path, f"damaged key material: {exc}") from None
    return KeyMaterial(files, real_ids)


def write_public_pack(sealed: SealedAssessment, drawn: list[str], folder: Path) -> Path:
    """Write the public pack of the drawn cases into folder (private to the user); return it."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    wanted = {"pack.yaml"} | {f"cases/{case}.yaml" for case in drawn}
    for name in wanted:
        target = folder / name
        target.parent.mkdir(exist_ok=True, mode=0o700)
        data = sealed.public_files[name]
        if not target.exists() or target.read_bytes() != data:
            write_atomic(target, data)
    cases = folder / "cases"
    for stale in cases.glob("*.yaml") if cases.is_dir() else []:
        if f"cases/{stale.name}" not in wanted:
            stale.unlink()
    return folder


def load_full_pack(sealed: SealedAssessment, key: KeyMaterial, folder: Path) -> LoadedPack:
    """Write the decrypted pack into folder and load it; raise AssessError if it will not load."""
    from simulator.packs.errors import PackError
    from simulator.packs.loader import load_pack

    for name, data in key.pack_files.items():
        if name.startswith(("/", "..")) or ".." in Path(name).parts:
            raise AssessError(sealed.path, f"damaged key material: bad file name {name!r}")
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    try:
        return load_pack(folder)
    except PackError as exc:
        raise AssessError(
            sealed.path, f"the sealed pack does not load: {exc.problems[0]}"
        ) from None


def scoring_pack(
    full: LoadedPack, sealed: SealedAssessment, key: KeyMaterial, drawn: list[str]
) -> LoadedPack:
    """The full pack as a candidate's session saw it: the drawn cases under their public ids."""
    from simulator.packs.loaded import LoadedPack

    by_id = {case.id: case for case in full.cases}
    cases = []
    for public in sorted(drawn):
        real = key.real_ids.get(public)
        if real is None or real not in by_id:
            raise AssessError(sealed.path, f"the sealed pack has no case for {public}")
        cases.append(by_id[real].model_copy(update={"id": public}))
    pack = full.pack.model_copy(update={"id": sealed.public_pack_id, "selection": Selection()})
    return LoadedPack(root=full.root, pack=pack, cases=cases, inbox=list(full.inbox))
