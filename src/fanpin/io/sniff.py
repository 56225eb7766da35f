"""What a file really holds, judged from its bytes rather than its extension.

Officials rename files, and systems export web pages or text under an .xls name. Office
files that carry a password are not zip archives at all: Excel wraps the encrypted workbook
in an OLE2 compound file holding an "EncryptedPackage" stream.
"""

from __future__ import annotations

from enum import StrEnum

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_SNIFF_BYTES = 4096


class Content(StrEnum):
    ZIP = "zip"  # xlsx, xlsm, ods (or a corrupt one)
    OLE = "ole"  # xls (BIFF) in a compound file
    ENCRYPTED = "encrypted"  # password-protected xlsx
    HTML = "html"  # a web page saved as .xls
    XML = "xml"  # Excel 2003 XML spreadsheet
    TEXT = "text"
    BINARY = "binary"


def sniff(data: bytes) -> Content:
    """Classify file content by its first bytes (the whole file for encryption)."""
    if data.startswith(ZIP_MAGIC):
        return Content.ZIP
    if data.startswith(OLE_MAGIC):
        return Content.ENCRYPTED if _ENCRYPTED_STREAM in data else Content.OLE
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Content.BINARY
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<table" in lowered:
        return Content.HTML
    if lowered.startswith(b"<?xml"):
        return Content.XML
    return Content.TEXT
