"""A trace file as blocks of whole lines: bytes while it is clean ASCII, decoded text lines after.

The reader (``reader.py``) parses block by block, so a replay holds one block
at a time whatever the file's length; ``rows.py`` parses a block.
"""
from __future__ import annotations

import codecs
import io
from typing import Iterator

from device.adapters.trace.format import TraceError

# Characters that str.splitlines() treats as line ends besides "\n": a block holding
# any of them (or any non-ASCII) takes the text path, which splits lines that way.
_OTHER_LINE_ENDS = (b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")
_TEXT_LINE_ENDS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
#: no line of a trace is anywhere near this long; a longer one is an error, not a reason to hold it
MAX_LINE_BYTES = 1 << 16


def blocks(f, path: str, size: int) -> Iterator[bytes | list[str]]:
    """The file as blocks of whole lines, in order.

    A block is ``bytes`` while the file is clean (ASCII, ``\n`` line ends only:
    then splitting at ``\n`` is what the text reader does), and a list of lines
    (without their ends) from the first block that is not: decoded as UTF-8 with
    universal newlines and split as ``str.splitlines`` splits, like the text
    reader. Nothing longer than a block plus one line is ever held.
    """
    carry = b""
    dec = None
    tcarry = ""
    lines_before = 0
    while True:
        data = f.read(size)
        eof = not data
        if dec is None:
            buf = carry + data if carry else data
            if buf.isascii() and not any(c in buf for c in _OTHER_LINE_ENDS):
                if eof:
                    if buf:
                        yield buf
                    return
                cut = buf.rfind(b"\n") + 1
                carry = buf[cut:]
                if len(carry) > MAX_LINE_BYTES:
                    raise TraceError(path, lines_before + buf.count(b"\n", 0, cut) + 1,
                                     f"a line longer than {MAX_LINE_BYTES} bytes")
                if cut:
                    lines_before += buf.count(b"\n", 0, cut)
                    yield buf[:cut]
                continue
            # from here on, text as the text reader sees it
            dec = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder("utf-8")(), translate=True)
            data, carry = buf, b""
        try:
            text = dec.decode(data, final=eof)
        except UnicodeDecodeError as e:
            raise TraceError(path, lines_before + tcarry.count("\n") + data.count(b"\n", 0, e.start) + 1,
                             "not UTF-8 text") from None
        if tcarry:
            text = tcarry + text
        lines = text.splitlines(keepends=True)
        tcarry = ""
        if not eof and lines and lines[-1][-1] not in _TEXT_LINE_ENDS:
            tcarry = lines.pop()
            if len(tcarry) > MAX_LINE_BYTES:
                raise TraceError(path, lines_before + len(lines) + 1, f"a line longer than {MAX_LINE_BYTES} bytes")
        if lines:
            lines_before += len(lines)
            yield [ln[:-1] if ln[-1] in _TEXT_LINE_ENDS else ln for ln in lines]
        if eof:
            return
