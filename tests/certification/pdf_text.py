"""The text a reportlab PDF draws, decoded through each font's ToUnicode map.

No PDF library is needed: reportlab writes simple objects. Standard (Type 1) fonts use
Windows-1252; embedded TrueType subsets map one byte to a character through their
ToUnicode CMap; the CID fonts (UniJIS/UniKS-UCS2-H) use two-byte UCS-2. Runs drawn one
after another on the same baseline (a name in several scripts) are joined into one line.
"""

import base64
import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
STREAM = re.compile(rb"^(.*?)stream\r?\n(.*?)\s*endstream", re.S)
ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
TEXT_OP = re.compile(
    rb"(?:([\d.\-]+) ([\d.\-]+) Tm)|(?:/(\S+) [\d.]+ Tf)|(?:\(((?:[^()\\]|\\.)*)\) Tj)|(BT)", re.S
)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every object: its dictionary text and its decoded stream (or None)."""
    found = {}
    for number, body in OBJECT.findall(data):
        match = STREAM.match(body)
        if not match:
            found[int(number)] = (body, None)
            continue
        head, raw = match.groups()
        if b"/ASCII85Decode" in head:
            raw = base64.a85decode(raw.strip()[:-2] if raw.strip().endswith(b"~>") else raw)
        if b"/FlateDecode" in head:
            raw = zlib.decompress(raw)
        found[int(number)] = (head, raw)
    return found


def _cmap(stream: bytes) -> dict[int, str]:
    return {
        int(code, 16): chr(int(point, 16))
        for code, point in re.findall(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4,6})>", stream)
    }


def _decoders(objects) -> dict[str, object]:
    decoders = {}
    for head, _ in objects.values():
        name = re.search(rb"/Name /(\S+)", head)
        if not name or b"/Type /Font" not in head:
            continue
        key = name.group(1).decode()
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if to_unicode:
            table = _cmap(objects[int(to_unicode.group(1))][1] or b"")
            decoders[key] = lambda raw, table=table: "".join(table.get(b, "\ufffd") for b in raw)
        elif b"UCS2-H" in head:
            decoders[key] = lambda raw: raw.decode("utf-16-be", "replace")
        else:
            decoders[key] = lambda raw: raw.decode("cp1252", "replace")
    return decoders


def _unescape(literal: bytes) -> bytes:
    return ESCAPE.sub(
        lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit() else m.group(1),
        literal,
    )


def pdf_lines(data: bytes) -> list[str]:
    """The lines of text the PDF draws, in drawing order."""
    objects = _objects(data)
    decoders = _decoders(objects)
    lines: list[str] = []
    for head, stream in objects.values():
        if stream is None or b"/Length1" in head or b"Tj" not in stream:
            continue  # not a content stream (font files carry /Length1)
        font, baseline, last_baseline = None, None, object()
        for _x, tm_y, tf, literal, _bt in TEXT_OP.findall(stream):
            if tm_y:
                baseline = tm_y
            elif tf:
                font = tf.decode()
            elif literal:
                text = decoders.get(font, lambda raw: raw.decode("cp1252", "replace"))(
                    _unescape(literal)
                )
                if baseline is not None and baseline == last_baseline and lines:
                    lines[-1] += text
                else:
                    lines.append(text)
                last_baseline = baseline
    return lines
