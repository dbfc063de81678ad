"""Where messages come from: an mbox (Gmail Takeout), a folder of .eml files, or one .eml.

Everything streams: an mbox is read line by line and never held whole in memory.
Problems are yielded as :class:`ParseFailed` results; the iterators never raise
half-way through a source.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TypeVar

from .parse import parse_result
from .results import ParseFailed, ParseResult, RawMessage

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # Gmail's 25 MB attachment limit is ~34 MB once base64-encoded
_FROM_LINE = re.compile(rb"^From \S*[ \t]+.*\d")
_ESCAPED_FROM = re.compile(rb"^>(>*From )")
_EML_SUFFIXES = (".eml",)
T = TypeVar("T")


def _is_blank(line: bytes) -> bool:
    return line in (b"\n", b"\r\n", b"\r")


def iter_mbox(
    path: str | os.PathLike[str], *, max_message_bytes: int = MAX_MESSAGE_BYTES
) -> Iterator[RawMessage | ParseFailed]:
    """Messages of an mbox file, streamed.

    A message starts at a ``From `` line at the start of the file or after a blank
    line; the blank line before it belongs to the mbox, not the message. ``>From ``
    lines are unescaped mboxrd-style (one ``>`` removed from ``>…>From ``). Content
    before the first ``From `` line, and messages over ``max_message_bytes``, are
    reported as ParseFailed and skipped.
    """
    path = os.fspath(path)
    number = 0
    lines: list[bytes] = []
    size = 0
    oversize = False
    prev_blank = True
    preamble = True

    def flush() -> RawMessage | ParseFailed | None:
        if preamble:
            if any(not _is_blank(line) for line in lines):
                return ParseFailed(f"{path}#0", "content before the first 'From ' line: not an mbox message", size)
            return None
        source = f"{path}#{number}"
        if oversize:
            return ParseFailed(source, f"message larger than {max_message_bytes} bytes, skipped", size)
        if lines and _is_blank(lines[-1]):
            lines.pop()  # the separator blank line the mbox writer added
        return RawMessage(source, b"".join(lines))

    try:
        with open(path, "rb") as handle:
            for line in handle:
                if prev_blank and line.startswith(b"From ") and _FROM_LINE.match(line):
                    result = flush()
                    if result is not None:
                        yield result
                    number += 1
                    preamble = False
                    lines, size, oversize = [line], len(line), False
                    prev_blank = False
                    continue
                prev_blank = _is_blank(line)
                size += len(line)
                if oversize:
                    continue
                if size > max_message_bytes:
                    oversize, lines = True, []
                    continue
                if line.startswith(b">") and _ESCAPED_FROM.match(line):
                    line = line[1:]
                lines.append(line)
        result = flush()
        if result is not None:
            yield result
    except OSError as exc:
        yield ParseFailed(f"{path}#{number}", f"cannot read mbox: {exc}")


def _read_eml(path: str, max_message_bytes: int) -> RawMessage | ParseFailed:
    try:
        size = os.path.getsize(path)
        if size > max_message_bytes:
            return ParseFailed(path, f"message larger than {max_message_bytes} bytes, skipped", size)
        with open(path, "rb") as handle:
            return RawMessage(path, handle.read())
    except OSError as exc:
        return ParseFailed(path, f"cannot read file: {exc}")


def iter_eml_folder(
    path: str | os.PathLike[str], *, max_message_bytes: int = MAX_MESSAGE_BYTES
) -> Iterator[RawMessage | ParseFailed]:
    """Every ``*.eml`` file below ``path`` (recursively), in sorted path order."""
    found: list[str] = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        found.extend(os.path.join(root, f) for f in files if f.lower().endswith(_EML_SUFFIXES))
    for file in sorted(found):
        yield _read_eml(file, max_message_bytes)


def _looks_like_mbox(path: str) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(4096)
    first = head.lstrip(b"\r\n").split(b"\n", 1)[0] + b"\n"
    return first.startswith(b"From ") and bool(_FROM_LINE.match(first))


def iter_messages(
    path: str | os.PathLike[str], *, max_message_bytes: int = MAX_MESSAGE_BYTES
) -> Iterator[RawMessage | ParseFailed]:
    """Raw messages of an mbox file, a folder of .eml files (recursive), or one .eml file.

    A file whose first line is an mbox ``From `` line is read as an mbox (whatever its
    name); any other file is one message. Yields RawMessage (unpacks as
    ``source, data``) or ParseFailed for what could not be read.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        yield from iter_eml_folder(path, max_message_bytes=max_message_bytes)
        return
    try:
        is_mbox = _looks_like_mbox(path)
    except OSError as exc:
        yield ParseFailed(path, f"cannot read: {exc}")
        return
    if is_mbox:
        yield from iter_mbox(path, max_message_bytes=max_message_bytes)
    else:
        yield _read_eml(path, max_message_bytes)


def iter_parsed(
    path: str | os.PathLike[str], user_id: str, *, max_message_bytes: int = MAX_MESSAGE_BYTES
) -> Iterator[ParseResult]:
    """Parse every message of ``path`` for ``user_id``: one ParsedOk or ParseFailed per message, in source order.

    Never raises for bad content; the caller reports failures and indexes the rest.
    The same Message-ID can appear twice in one source (ids are equal): dedupe a batch
    before an upsert that rejects repeated keys.
    """
    for item in iter_messages(path, max_message_bytes=max_message_bytes):
        if isinstance(item, ParseFailed):
            yield item
        else:
            yield parse_result(item.data, user_id, item.source)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to ``size`` items (itertools.batched arrives only in Python 3.12)."""
    if size < 1:
        raise ValueError(f"batch size must be >= 1, got {size}")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def source_size(path: str | os.PathLike[str]) -> int:
    """Total bytes under ``path`` (the mbox, the .eml, or every .eml in a folder): a progress bar's total."""
    p = Path(path)
    if p.is_dir():
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(_EML_SUFFIXES))
    return p.stat().st_size if p.exists() else 0
