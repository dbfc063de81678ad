"""Fixture mail written by the tests themselves: plain RFC 5322 messages and an mbox holding them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from applylens_index.ingest.demo import mbox_entry

BASE = datetime(2026, 2, 1, 9, 0, tzinfo=timezone.utc)
TRUNCATED = (
    b"From: a@b.example\r\nSubject: cut\r\nMessage-ID: <cut@b.example>\r\n"
    b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n--XYZ\r\nContent-Type: text/plain\r\n\r\nhalf a mess'
)


def message(n: int, subject: str | None = None, sender: str = "jobs@greenhouse.io") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Recruiter {n} <{sender}>"
    msg["To"] = "alice@example.com"
    msg["Subject"] = subject or f"Interview {n} at Acme"
    msg["Date"] = format_datetime(BASE + timedelta(hours=n))
    msg["Message-ID"] = f"<msg-{n}@test.example>"
    msg.set_content(f"Hello, this is message number {n}. Can we schedule a call?")
    return bytes(msg)


def write_mbox(path: Path, raws: list[bytes]) -> Path:
    path.write_bytes(b"".join(mbox_entry(raw, "sender@test.example", BASE) for raw in raws))
    return path


def write_eml_folder(folder: Path, raws: list[bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, raw in enumerate(raws):
        (folder / f"{i:03d}.eml").write_bytes(raw)
    return folder
