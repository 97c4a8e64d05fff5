"""The result file (.cdresult): a sitting's every event, hash-chained and sealed to the screener.

Format version 1 is a JSON object:

    {"format": "codedesk-assessment-result", "version": 1,
     "header": {"assessment": ..., "candidate": ..., "session": ..., "written_at": ...},
     "ephemeral_public_key": base64, "nonce": base64, "ciphertext": base64}

The ciphertext is AES-256-GCM under a key agreed between a one-time X25519 key pair and the
screener's public key (HKDF-SHA256); the header's canonical JSON is its associated data, so the
header cannot be changed either. The plaintext is zlib-compressed JSON lines, one record each:
a `session` record (who, which assessment, the seed and the draw, when the sitting started),
one `event` record per stored event (its sequence number, time, kind and payload, exactly as
the session store holds it), and an `end` record (how many events, whether it was handed in).
Every record carries `n` (its position) and `prev`, the SHA-256 of the previous line's bytes;
the first record's `prev` is the SHA-256 of the header. A record removed, added, reordered or
changed breaks the chain at the next one.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.assess import crypto
from simulator.assess.errors import TamperedError
from simulator.assess.sealed import b64, canonical, unb64, write_atomic

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from simulator.store.base import Event

FORMAT = "codedesk-assessment-result"
"""The result file's `format`."""
VERSION = 1
"""The result format version this CodeDesk writes and reads."""
MAX_RESULT_BYTES = 64 * 1024 * 1024
"""The largest result file read (a sitting's events are far smaller)."""
MAX_PLAIN_BYTES = 256 * 1024 * 1024
"""The most a result's compressed records may expand to."""


@dataclass(frozen=True)
class ResultLog:
    """A result file that decrypted and whose hash chain holds."""

    header: dict[str, Any]
    session: dict[str, Any]
    """The `session` record: assessment, candidate, seed, drawn cases, session info."""
    events: list[Event]
    end: dict[str, Any]
    """The `end` record: event count, whether handed in, when the file was written."""


def _digest(data: bytes) -> str:
    """SHA-256 as hex."""
    return hashlib.sha256(data).hexdigest()


def _header_bytes(header: dict[str, Any]) -> bytes:
    """The associated data: the format, the version and the header, canonically."""
    return canonical({"format": FORMAT, "version": VERSION, "header": header})


def build_records(
    header: dict[str, Any], session: dict[str, Any], events: list[Event], end: dict[str, Any]
) -> bytes:
    """Return the hash-chained JSON lines of a result."""
    lines: list[bytes] = []
    prev = _digest(_header_bytes(header))
    bodies: list[dict[str, Any]] = [{"type": "session", **session}]
    for event in events:
        bodies.append(
            {
                "type": "event",
                "seq": event.seq,
                "at": event.at.isoformat(),
                "kind": event.kind,
                "payload": event.payload,
            }
        )
    bodies.append({"type": "end", **end})
    for n, body in enumerate(bodies):
        line = canonical({"n": n, "prev": prev, **body})
        lines.append(line)
        prev = _digest(line)
    return b"\n".join(lines) + b"\n"


def seal_records(header: dict[str, Any], records: bytes, recipient: bytes) -> bytes:
    """Encrypt records to the screener's public key; return the result file's bytes."""
    ephemeral, nonce, ciphertext = crypto.seal_to(
        recipient, zlib.compress(records, 9), _header_bytes(header)
    )
    envelope = {
        "format": FORMAT,
        "version": VERSION,
        "header": header,
        "ephemeral_public_key": b64(ephemeral),
        "nonce": b64(nonce),
        "ciphertext": b64(ciphertext),
    }
    return json.dumps(envelope, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"


def write_result(
    path: Path,
    recipient: bytes,
    header: dict[str, Any],
    session: dict[str, Any],
    events: list[Event],
    end: dict[str, Any],
) -> Path:
    """Write a sealed result file (whole or not at all) and return its path."""
    records = build_records(header, session, events, end)
    write_atomic(path, seal_records(header, records, recipient))
    return path


def read_envelope(path: Path) -> dict[str, Any]:
    """Read a result file's envelope (readable without the key); raise TamperedError if bad."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise TamperedError("no such file") from None
    except OSError as exc:
        raise TamperedError(f"cannot be read: {exc.strerror}") from None
    if len(raw) > MAX_RESULT_BYTES:
        raise TamperedError("larger than any result file (64 MB)")
    try:
        envelope = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TamperedError(f"not a readable result file (cut short or changed: {exc})") from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise TamperedError("not a CodeDesk result file (unknown format)")
    version = envelope.get("version")
    if version != VERSION:
        raise TamperedError(f"result format version {version!r}; this CodeDesk reads {VERSION}")
    if not isinstance(envelope.get("header"), dict):
        raise TamperedError("the result file has no header")
    return envelope


def open_result(path: Path, private: X25519PrivateKey) -> ResultLog:
    """Decrypt a result file and check its hash chain; raise TamperedError with the reason."""
    envelope = read_envelope(path)
    header: dict[str, Any] = envelope["header"]
    try:
        ephemeral = unb64(envelope.get("ephemeral_public_key"), "ephemeral_public_key")
        nonce = unb64(envelope.get("nonce"), "nonce")
        ciphertext = unb64(envelope.get("ciphertext"), "ciphertext")
    except ValueError as exc:
        raise TamperedError(f"changed: {exc}") from None
    try:
        packed = crypto.open_sealed(private, ephemeral, nonce, ciphertext, _header_bytes(header))
    except crypto.CryptoError:
        raise TamperedError(
            "changed after it was written: the encrypted part does not authenticate (or it "
            "was encrypted to another screener's key)"
        ) from None
    try:
        expander = zlib.decompressobj()
        records = expander.decompress(packed, MAX_PLAIN_BYTES)
        if expander.unconsumed_tail or not expander.eof:
            raise TamperedError("the records are cut short or too large")
    except zlib.error as exc:
        raise TamperedError(f"the records do not decompress: {exc}") from None
    return check_chain(header, records)


def check_chain(header: dict[str, Any], records: bytes) -> ResultLog:
    """Check every record's position and hash link; return the log or raise TamperedError."""
    from simulator.store.base import Event

    if not records.endswith(b"\n"):
        raise TamperedError("the records are cut short (no final line end)")
    lines = records[:-1].split(b"\n")
    prev = _digest(_header_bytes(header))
    bodies: list[dict[str, Any]] = []
    for n, line in enumerate(lines):
        try:
            body = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise TamperedError(f"record {n} is not JSON") from None
        if not isinstance(body, dict):
            raise TamperedError(f"record {n} is not a record")
        if body.get("prev") != prev:
            raise TamperedError(
                f"hash chain broken at record {n}: a record before it was removed, added or changed"
            )
        if body.get("n") != n:
            raise TamperedError(f"record {n} says it is record {body.get('n')!r}")
        if line != canonical(body):
            raise TamperedError(f"record {n} is not written the canonical way")
        prev = _digest(line)
        bodies.append(body)
    if len(bodies) < 2 or bodies[0].get("type") != "session" or bodies[-1].get("type") != "end":
        raise TamperedError("the records do not start with the session and close with the end")
    session, end, middle = bodies[0], bodies[-1], bodies[1:-1]
    if any(body.get("type") != "event" for body in middle):
        raise TamperedError("a record between the session and the end is not an event")
    if end.get("events") != len(middle):
        raise TamperedError(
            f"the end record counts {end.get('events')!r} events, but {len(middle)} are there"
        )
    for key in ("assessment", "candidate", "session"):
        if session.get(key) != header.get(key):
            raise TamperedError(f"the header's {key} differs from the session record's")
    events: list[Event] = []
    for body in middle:
        try:
            events.append(
                Event(
                    session_id=str(session["session"]),
                    seq=int(body["seq"]),
                    at=datetime.fromisoformat(str(body["at"])),
                    kind=str(body["kind"]),
                    payload=dict(body["payload"]),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TamperedError(f"event record {body.get('n')} is malformed: {exc}") from None
    for before, after in itertools.pairwise(events):
        if after.seq != before.seq + 1:
            raise TamperedError(
                f"event {before.seq + 1} is missing from the session (the events jump from "
                f"{before.seq} to {after.seq}): removed from the database?"
            )
    if events and events[0].seq != 1:
        raise TamperedError(
            f"the session's first events are missing (it starts at event {events[0].seq})"
        )
    return ResultLog(header=header, session=session, events=events, end=end)
