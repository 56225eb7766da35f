"""The column table (schemas/columns.toml): fields, aliases and required columns per input kind."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fanpin.errors import ErrorCode, InputError
from fanpin.resources import schema_file

FIELD_TYPES = ("text", "code", "date", "month", "amount", "int")

_SPACES = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")
# Brackets of every width, and marks that decorate headers without changing their meaning.
_DECORATION = re.compile(r"[()\[\]{}（）【】〔〕［］｛｝<>《》〈〉「」『』*※:：、/／\\]")


def normalize_header(text: str, notes: tuple[str, ...] = ()) -> str:
    """Comparison form of a header cell: "身份证 号码", "公民身份号码\\n" and "县（区）" become
    "身份证号码", "公民身份号码" and "县区"; notes such as "(必填)" are dropped."""
    key = unicodedata.normalize("NFKC", text)
    key = _SPACES.sub("", key)
    for note in notes:
        key = re.sub(r"[(（\[【]" + re.escape(note) + r"[)）\]】]", "", key)
    return _DECORATION.sub("", key).lower()


# A bracketed part at the end of a text: "（18位）", "(元)", "【必填】", "[在保/停保]".
_TRAILING_NOTE = re.compile(r"\s*(?:（[^（）]*）|\([^()]*\)|【[^【】]*】|\[[^\[\]]*\])\s*$")


def without_trailing_note(text: str) -> str:
    """The text without its trailing bracketed notes: "身份证号码（18位）" -> "身份证号码"."""
    bare = text.strip()
    while True:
        shorter = _TRAILING_NOTE.sub("", bare)
        if shorter == bare or not shorter:
            return bare
        bare = shorter


@dataclass(frozen=True)
class FieldSpec:
    """One column a kind may carry."""

    key: str  # English field name used in frames
    label: str  # canonical Chinese header
    aliases: tuple[str, ...] = ()
    type: str = "text"
    codes: str = ""  # vocabulary name in codes.toml, for type "code"
    personal: bool = False


@dataclass(frozen=True)
class HeaderRules:
    search_rows: int = 20
    min_fields: int = 2
    group_prefixes: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowRules:
    total_pattern: str = r"^\s*(合\s*计|总\s*计|小\s*计)"
    note_pattern: str = ""
    marker_columns: int = 3


@dataclass(frozen=True)
class KindSpec:
    """Everything the reader and coercion need to know about one input kind."""

    kind: str
    label: str
    fields: dict[str, FieldSpec]  # in canonical order
    required: tuple[str, ...]
    required_any: tuple[tuple[str, ...], ...]
    not_null: tuple[str, ...]
    header: HeaderRules
    rows: RowRules
    alias_map: dict[str, str] = field(default_factory=dict)  # normalised header -> field

    def field_label(self, key: str) -> str:
        spec = self.fields.get(key)
        return spec.label if spec else key

    def labels(self, keys: list[str] | tuple[str, ...]) -> str:
        """Chinese list of labels, e.g. 姓名、公民身份号码."""
        return "、".join(self.field_label(k) for k in keys)


@dataclass(frozen=True)
class ColumnSpec:
    path: Path
    kinds: dict[str, KindSpec]

    def kind(self, name: str) -> KindSpec:
        if name not in self.kinds:
            known = "、".join(self.kinds)
            raise InputError.single(
                ErrorCode.BAD_OPTION, f"未知的输入类型“{name}”（可用：{known}）"
            )
        return self.kinds[name]


def load_column_spec(path: Path | None = None) -> ColumnSpec:
    """Read columns.toml (the shipped one by default); structural errors name the file."""
    if path is None:
        return _default_spec()
    return _load(path)


@lru_cache(maxsize=1)
def _default_spec() -> ColumnSpec:
    return _load(schema_file("columns.toml"))


def _load(path: Path) -> ColumnSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError.single(
            ErrorCode.BAD_RULES, f"无法读取列名表：{exc}", file=path.name
        ) from exc
    return parse_column_spec(data, path)


def _bad(message: str, path: Path) -> InputError:
    return InputError.single(ErrorCode.BAD_RULES, f"列名表错误：{message}", file=path.name)


def _field(key: str, node: Any, path: Path) -> FieldSpec:
    if not isinstance(node, dict) or not isinstance(node.get("label"), str):
        raise _bad(f"字段 {key} 缺少 label", path)
    ftype = node.get("type", "text")
    if ftype not in FIELD_TYPES:
        raise _bad(f"字段 {key} 的 type“{ftype}”无效（可用：{'、'.join(FIELD_TYPES)}）", path)
    if ftype == "code" and not node.get("codes"):
        raise _bad(f"字段 {key} 的 type 为 code，但没有指定 codes", path)
    aliases = node.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise _bad(f"字段 {key} 的 aliases 应为文字列表", path)
    return FieldSpec(
        key=key,
        label=node["label"],
        aliases=tuple(aliases),
        type=ftype,
        codes=str(node.get("codes", "")),
        personal=bool(node.get("personal", False)),
    )


def _key_list(node: Mapping[str, Any], name: str, kind: str, path: Path) -> tuple[str, ...]:
    value = node.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"[kinds.{kind}] 的 {name} 应为字段名列表", path)
    return tuple(value)


def parse_column_spec(data: Mapping[str, Any], path: Path) -> ColumnSpec:
    """Build and cross-check the spec: every listed field is defined, no alias is ambiguous."""
    header_node = data.get("header", {})
    header = HeaderRules(
        search_rows=int(header_node.get("search_rows", 20)),
        min_fields=int(header_node.get("min_fields", 2)),
        group_prefixes=tuple((str(a), str(b)) for a, b in header_node.get("group_prefixes", [])),
        notes=tuple(str(n) for n in header_node.get("notes", [])),
    )
    rows_node = data.get("rows", {})
    rows = RowRules(
        total_pattern=str(rows_node.get("total_pattern", RowRules.total_pattern)),
        note_pattern=str(rows_node.get("note_pattern", "")),
        marker_columns=int(rows_node.get("marker_columns", 3)),
    )
    for pattern in (rows.total_pattern, rows.note_pattern):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _bad(f"[rows] 中的正则表达式“{pattern}”无效：{exc}", path) from exc

    shared = {k: _field(k, v, path) for k, v in data.get("fields", {}).items()}
    kinds = {
        name: _kind(name, node, shared, header, rows, path)
        for name, node in data.get("kinds", {}).items()
    }
    return ColumnSpec(path=path, kinds=kinds)


def _kind(
    name: str,
    node: Any,
    shared: dict[str, FieldSpec],
    header: HeaderRules,
    rows: RowRules,
    path: Path,
) -> KindSpec:
    if not isinstance(node, dict):
        raise _bad(f"[kinds.{name}] 不是一个节", path)
    local = {k: _field(k, v, path) for k, v in node.get("local_fields", {}).items()}
    listed = _key_list(node, "fields", name, path)
    fields: dict[str, FieldSpec] = {}
    for key in [*listed, *(k for k in local if k not in listed)]:
        spec = local.get(key) or shared.get(key)
        if spec is None:
            raise _bad(f"[kinds.{name}] 用到的字段 {key} 没有定义", path)
        fields[key] = spec

    required = _key_list(node, "required", name, path)
    not_null = _key_list(node, "not_null", name, path)
    groups_node = node.get("required_any", [])
    if not isinstance(groups_node, list):
        raise _bad(f"[kinds.{name}] 的 required_any 应为列表的列表", path)
    groups = tuple(tuple(str(k) for k in group) for group in groups_node)
    for key in [*required, *not_null, *(k for g in groups for k in g)]:
        if key not in fields:
            raise _bad(f"[kinds.{name}] 中的 {key} 不在该类的 fields 中", path)

    return KindSpec(
        kind=name,
        label=str(node.get("label", name)),
        fields=fields,
        required=required,
        required_any=groups,
        not_null=not_null,
        header=header,
        rows=rows,
        alias_map=_alias_map(name, fields, header.notes, path),
    )


def _alias_map(
    kind: str, fields: dict[str, FieldSpec], notes: tuple[str, ...], path: Path
) -> dict[str, str]:
    """Normalised header -> field; one header naming two fields of a kind is an error."""
    out: dict[str, str] = {}
    for spec in fields.values():
        for text in (spec.key, spec.label, *spec.aliases):
            key = normalize_header(text, notes)
            if not key:
                continue
            if out.get(key, spec.key) != spec.key:
                raise _bad(
                    f"[kinds.{kind}] 中列名“{text}”同时是 {out[key]} 和 {spec.key} 的别名", path
                )
            out[key] = spec.key
    return out
