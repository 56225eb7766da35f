"""CSV and text files: detect the encoding, then parse every cell as text.

Encodings are tried strictly, most specific first: a BOM decides; otherwise UTF-8, then
GB18030 (a superset of GBK and GB2312 that also carries rare name characters such as 㛃, and
maps the GBK middle dot A1A4 to U+00B7 where Python's gb2312 gives U+30FB); charset-normalizer
only guesses when both fail. A short GBK file is not mistaken for something else because a
strict UTF-8 decode of Chinese GBK bytes fails almost at once.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from fanpin.io.cells import STRING, TEXT, render_arrow
from fanpin.io.header import Merge

_DELIMITERS = (",", "\t", ";", "|")
_SNIFF_LINES = 20
_HEAD_CHARS = 1 << 16  # the header search reads a prefix of the text, grown when needed


class UndecodableText(ValueError):
    """No encoding reads the file."""


class MalformedText(ValueError):
    """The rows cannot be parsed (e.g. a quote that is never closed)."""


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a text file's bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"  # Excel's "Unicode text" export
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding, errors="strict"), encoding
        except UnicodeDecodeError:
            continue
    guess = charset_normalizer.from_bytes(data).best()
    if guess is None:
        raise UndecodableText("无法识别文件编码（已尝试 UTF-8、GB18030 等）")
    return str(guess), guess.encoding


def sniff_delimiter(text: str) -> str:
    """The delimiter used most in the first non-empty lines (comma on a tie)."""
    lines = [line for line in text[:_HEAD_CHARS].splitlines()[: _SNIFF_LINES * 3] if line.strip()]
    sample = "\n".join(lines[:_SNIFF_LINES])
    counts = {d: sample.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def parse_text(text: str, utf8: bytes | None = None) -> TextGrid:
    """A lazy grid over decoded CSV/TSV text (see TextGrid). `utf8`: the same text as UTF-8
    bytes when the file already was UTF-8, so the rows need not be encoded again."""
    if "\n" not in text and "\r" in text:  # old Mac line ends
        text, utf8 = text.replace("\r", "\n"), None
    return TextGrid(text=text, delimiter=sniff_delimiter(text), utf8=utf8)


@dataclass
class TextGrid:
    """CSV text as a grid. The first rows (where the header is searched) are parsed with the
    csv module, which takes rows of any length (a one-cell title line); the rows under the
    header are parsed by pyarrow, or by pandas when pyarrow meets a row whose length differs
    from the header's. Row numbers are the file's line numbers."""

    text: str
    delimiter: str
    utf8: bytes | None = None
    sheet: str = ""
    merges: list[Merge] | None = None
    _records: list[list[str]] = field(default_factory=list, repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)  # first line of each record
    _body: _Body | None = field(default=None, repr=False)

    # -- head: the csv module -------------------------------------------------------------

    def _read_head(self, n: int) -> None:
        if len(self._records) >= n:
            return
        size = _HEAD_CHARS
        while True:
            whole = size >= len(self.text)
            # One record more than wanted: the last one read may be cut by the prefix.
            records, starts = _first_records(
                self.text if whole else self.text[:size], self.delimiter, n + 1
            )
            if whole or len(records) > n:
                self._records, self._starts = records[:n], starts[:n]
                return
            size *= 4

    def head(self, n: int) -> list[list[str]]:
        self._read_head(n)
        rows = self._records[:n]
        width = max((len(r) for r in rows), default=0)
        return [[*r, *([""] * (width - len(r)))] for r in rows]

    # -- body: pyarrow, else pandas -------------------------------------------------------

    def _body_from(self, start: int) -> _Body:
        if self._body is not None and self._body.start == start:
            return self._body
        self._read_head(start + 1)
        if start >= len(self._records):
            body = _Body(start, [], np.zeros(0, dtype=np.int64))
        else:
            first_line = self._starts[start]
            width = max(len(self._records[start - 1]) if start else 0, len(self._records[start]))
            offset = _line_offset(self.text, first_line)
            if self.utf8 is None:
                data = self.text[offset:].encode("utf-8")
            else:
                data = self.utf8[len(self.text[:offset].encode("utf-8")) :]
            try:
                body = _parse_body(data, first_line, self.delimiter, width)
            except (pa.ArrowInvalid, pd.errors.ParserError, ValueError) as exc:
                raise MalformedText(str(exc)) from exc
            body.start = start
        self._body = body
        return body

    @property
    def width(self) -> int:
        head_width = max((len(r) for r in self._records), default=0)
        body_width = len(self._body.columns) if self._body is not None else 0
        return max(head_width, body_width)

    def rows_from(self, start: int) -> int:
        return len(self._body_from(start).lines)

    def column(self, j: int, start: int) -> pd.Series:
        body = self._body_from(start)
        if j >= len(body.columns):
            return pd.Series(pd.NA, index=range(len(body.lines)), dtype=STRING)
        return render_arrow(body.columns[j])

    def row_numbers(self, start: int) -> np.ndarray:
        return self._body_from(start).lines

    def line_of(self, index: int) -> int:
        self._read_head(index + 1)
        return self._starts[index] if index < len(self._starts) else index + 1


def _first_records(text: str, delimiter: str, n: int) -> tuple[list[list[str]], list[int]]:
    """Up to n records of `text` and the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    starts: list[int] = []
    last_line = 0
    for record in reader:
        records.append(record)
        starts.append(last_line + 1)
        last_line = reader.line_num
        if len(records) >= n:
            break
    return records, starts


@dataclass
class _Body:
    start: int
    columns: list[pa.Array] | list[pa.ChunkedArray]
    lines: np.ndarray


def _line_offset(text: str, line: int) -> int:
    """Character offset where 1-based `line` starts."""
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return offset


def _parse_body(data: bytes, first_line: int, delimiter: str, width: int) -> _Body:
    """Parse UTF-8 rows that start on line `first_line` of the file."""
    quoted = b'"' in data
    columns = _parse_with_pyarrow(data, delimiter, width, quoted)
    if columns is None:
        columns = _parse_with_pandas(data, delimiter)
    n = len(columns[0]) if columns else 0
    lines = np.arange(first_line, first_line + n, dtype=np.int64)
    if quoted and n:
        # A record with quoted line breaks spans several lines; later records move down.
        breaks = np.zeros(n, dtype=np.int64)
        for column in columns:
            counts = pc.fill_null(pc.count_substring(column, "\n"), 0)
            breaks += counts.to_numpy(zero_copy_only=False).astype(np.int64)
        lines += np.concatenate(([0], np.cumsum(breaks)[:-1]))
    return _Body(0, columns, lines)


def _parse_with_pyarrow(
    data: bytes, delimiter: str, width: int, quoted: bool
) -> list[pa.ChunkedArray] | None:
    """Columns of a regular body (every row `width` long), or None if a row differs."""
    if width == 0:
        return None
    names = [f"c{i}" for i in range(width)]
    irregular: list[object] = []

    def on_invalid(row: object) -> str:
        irregular.append(row)
        return "skip"

    table = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=quoted,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, TEXT),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if irregular:
        return None
    return [table.column(i) for i in range(width)]


def _parse_with_pandas(data: bytes, delimiter: str) -> list[pa.Array]:
    """Columns of a body with rows of different lengths; short rows are padded."""
    # Give the parser enough names for the longest line; counting delimiters ignores quoting
    # and may over-count, which only adds empty columns.
    separator = delimiter.encode("utf-8")
    width = max((line.count(separator) for line in data.split(b"\n")), default=0) + 1
    frame = pd.read_csv(
        io.BytesIO(data),
        sep=delimiter,
        header=None,
        names=list(range(width)),
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
        encoding="utf-8",
        quoting=csv.QUOTE_MINIMAL,
    )
    return [pa.array(frame[c].to_numpy(), type=TEXT) for c in frame.columns]
