"""Sources: streaming mbox splitting, >From unescaping, .eml folders, and per-message failures."""

from __future__ import annotations

from pathlib import Path

from applylens_index.ingest import (
    ParsedOk,
    ParseFailed,
    RawMessage,
    batched,
    email_id_for,
    iter_messages,
    iter_parsed,
    parse_message,
    source_size,
)

USER = "alice@example.com"


def eml(n: int, body: str = "Hello.", extra: str = "") -> bytes:
    return (
        f"From: Sender {n} <s{n}@example.org>\nTo: {USER}\nSubject: Message {n}\n"
        f"Date: Mon, 0{n % 9 + 1} Jan 2024 10:00:00 +0000\nMessage-ID: <m{n}@example.org>\n{extra}\n{body}\n"
    ).encode()


def mbox_entry(raw: bytes, n: int) -> bytes:
    escaped = b"\n".join((b">" + line) if line.lstrip(b">").startswith(b"From ") else line for line in raw.split(b"\n"))
    return f"From s{n}@example.org Mon Jan 01 10:00:00 2024\n".encode() + escaped.rstrip(b"\n") + b"\n\n"


def test_mbox_is_split_and_from_lines_unescaped(tmp_path: Path):
    body = "First line\n\nFrom the archives: old news\n>From quoted\nend"
    path = tmp_path / "All mail.mbox"
    path.write_bytes(b"".join(mbox_entry(eml(i, body if i == 2 else "Hello."), i) for i in range(1, 4)))
    raws = list(iter_messages(path))
    assert [r.source for r in raws] == [f"{path}#1", f"{path}#2", f"{path}#3"]
    assert all(isinstance(r, RawMessage) for r in raws)
    source, data = raws[1]
    assert data.startswith(b"From s2@example.org ")
    doc = parse_message(data, USER)
    assert doc.body_text == body
    assert [r.doc.subject for r in iter_parsed(path, USER)] == ["Message 1", "Message 2", "Message 3"]


def test_from_line_inside_a_paragraph_does_not_split(tmp_path: Path):
    raw = eml(1, "one\nFrom here on it gets 2 weird\ntwo")  # mboxo writer forgot to escape; no blank line before
    path = tmp_path / "a.mbox"
    path.write_bytes(mbox_entry(raw, 1).replace(b">From here", b"From here"))
    results = list(iter_parsed(path, USER))
    assert len(results) == 1 and "From here on" in results[0].doc.body_text


def test_crlf_mbox(tmp_path: Path):
    data = b"".join(mbox_entry(eml(i), i) for i in (1, 2)).replace(b"\n", b"\r\n")
    path = tmp_path / "crlf.mbox"
    path.write_bytes(data)
    docs = [r.doc for r in iter_parsed(path, USER)]
    assert [d.subject for d in docs] == ["Message 1", "Message 2"]
    assert docs[0].body_text == "Hello."


def test_truncated_mbox_reports_the_cut_message_and_keeps_the_rest(tmp_path: Path):
    multipart = eml(
        3,
        "--B\nContent-Type: text/plain\n\nthe attachment starts here and then the file ends",
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n',
    )
    data = mbox_entry(eml(1), 1) + mbox_entry(eml(2), 2) + mbox_entry(multipart, 3)
    path = tmp_path / "truncated.mbox"
    path.write_bytes(data[: len(data) - 10])
    results = list(iter_parsed(path, USER))
    assert [type(r) for r in results] == [ParsedOk, ParsedOk, ParseFailed]
    assert results[2].source == f"{path}#3" and "truncated MIME" in results[2].reason


def test_mbox_cut_inside_headers(tmp_path: Path):
    path = tmp_path / "cut.mbox"
    path.write_bytes(mbox_entry(eml(1), 1) + b"From x@y Mon Jan 01 10:00:00 2024\nFrom: a@b.c\nSubj")
    results = list(iter_parsed(path, USER))
    assert results[0].ok
    assert not results[1].ok and "header" in results[1].reason


def test_broken_mime_in_the_middle_is_skipped(tmp_path: Path):
    broken = eml(2, "no parts at all", 'Content-Type: multipart/mixed; boundary="nowhere"\n')
    path = tmp_path / "m.mbox"
    path.write_bytes(mbox_entry(eml(1), 1) + mbox_entry(broken, 2) + mbox_entry(eml(3), 3))
    results = list(iter_parsed(path, USER))
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].source.endswith("#2") and "broken MIME" in results[1].reason


def test_preamble_and_oversize_messages_are_reported(tmp_path: Path):
    path = tmp_path / "odd.mbox"
    big = eml(2, "x" * 5000)
    path.write_bytes(b"\n" + mbox_entry(eml(1), 1) + mbox_entry(big, 2) + mbox_entry(eml(3), 3))
    results = list(iter_parsed(path, USER, max_message_bytes=2000))
    assert [r.ok for r in results] == [True, False, True]
    assert "larger than 2000 bytes" in results[1].reason


def test_eml_folder_recursive_and_single_file(tmp_path: Path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "1.eml").write_bytes(eml(1))
    (tmp_path / "a" / "b" / "2.EML").write_bytes(eml(2))
    (tmp_path / "a" / "b" / "notes.txt").write_text("not mail")
    (tmp_path / "3.eml").write_bytes(b"garbage without headers")
    results = list(iter_parsed(tmp_path, USER))
    assert [r.ok for r in results] == [False, True, True]  # sorted: 3.eml, a/1.eml, a/b/2.EML
    assert results[0].source == str(tmp_path / "3.eml")
    single = list(iter_parsed(tmp_path / "a" / "1.eml", USER))
    assert len(single) == 1 and single[0].doc.id == email_id_for("<m1@example.org>")
    assert source_size(tmp_path) == sum(len(x) for x in (eml(1), eml(2), b"garbage without headers"))


def test_reimport_same_ids_from_mbox_and_eml(tmp_path: Path):
    (tmp_path / "one.eml").write_bytes(eml(1))
    (tmp_path / "box.mbox").write_bytes(mbox_entry(eml(1), 1))
    from_eml = next(iter_parsed(tmp_path / "one.eml", USER)).doc
    from_mbox = next(iter_parsed(tmp_path / "box.mbox", USER)).doc
    assert from_eml == from_mbox


def test_missing_path_is_reported(tmp_path: Path):
    results = list(iter_parsed(tmp_path / "nope.mbox", USER))
    assert len(results) == 1 and not results[0].ok and "cannot read" in results[0].reason


def test_batched():
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(batched([], 3)) == []
