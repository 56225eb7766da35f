"""Reading CSV / text files: encodings, delimiters, line numbers (synthetic data)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from fanpin.io.read import read_table
from fanpin.io.textfile import decode, sniff_delimiter

ID_1 = "140105199001010011"
ID_2 = "14010519700303003X"


def test_gb18030_csv_keeps_rare_character_and_middle_dot(tmp_path: Path) -> None:
    text = (
        "2024年低保名单\n"
        "\n"
        "姓名,公民身份号码,保障类别,保障状态\n"
        f"王㛃,{ID_1},农村低保,在保\n"
        f"阿依·木,{ID_2},城市低保,停保\n"
    )
    data = text.encode("gb18030")
    # Preconditions of the case: GBK cannot hold 㛃, and the bytes are not UTF-8.
    with pytest.raises(UnicodeEncodeError):
        "㛃".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "·".encode("gb18030") == b"\xa1\xa4"  # the GBK middle dot
    path = tmp_path / "低保.csv"
    path.write_bytes(data)

    table = read_table(path, "dibao")
    assert table.encoding == "gb18030"
    assert table.frame["name"].tolist() == ["王㛃", "阿依\u00b7木"]
    # Title on line 1, a blank line 2, header line 3: records on lines 4 and 5.
    assert table.frame["_row"].tolist() == [4, 5]
    assert table.frame["_sheet"].tolist() == ["", ""]


def test_plain_gbk_csv_reads_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"姓名,身份证号\n张三,{ID_1}\n".encode("gbk"))
    table = read_table(path, "dpf")
    assert table.frame["name"].tolist() == ["张三"]
    assert table.encoding == "gb18030"


def test_utf8_bom_csv_keeps_text_as_written(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    rows = [
        "姓名,身份证号,联系电话,残疾等级",
        f"甲,{ID_1},0351-1234567,二级",
        "乙,1.40102E+17,013800001234,1",
    ]
    path.write_bytes(codecs.BOM_UTF8 + "\r\n".join(rows).encode("utf-8"))
    table = read_table(path, "dpf")
    assert table.encoding == "utf-8-sig"
    frame = table.frame
    assert frame["id_number"].tolist() == [ID_1, "1.40102E+17"]
    assert frame["phone"].tolist() == ["0351-1234567", "013800001234"]
    assert frame["_row"].tolist() == [2, 3]


def test_quoted_line_break_shifts_later_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(
        f'姓名,身份证号,村(社区)\n甲,{ID_1},东村\n乙,{ID_2},"西\n村"\n丙,{ID_1},南村\n',
        encoding="utf-8",
    )
    frame = read_table(path, "dibao").frame
    # 乙 starts on line 3 and runs into line 4, so 丙 is on line 5.
    assert frame["_row"].tolist() == [2, 3, 5]
    assert frame["village"].tolist() == ["东村", "西\n村", "南村"]


def test_total_and_blank_lines_are_dropped_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "total.csv"
    path.write_text(
        f"姓名,身份证号,补贴类型,发放年月,发放金额\n甲,{ID_1},护理补贴,202407,90\n,,,,\n"
        "合计：,,,,90\n",
        encoding="utf-8",
    )
    table = read_table(path, "subsidy")
    assert table.frame["_row"].tolist() == [2]
    assert table.dropped == {"空行": 1, "合计行": 1}
    assert table.rows_read == 3


def test_tab_separated_utf16_text_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes(f"姓名\t身份证号\r\n甲\t{ID_1}\r\n".encode("utf-16"))
    table = read_table(path, "dpf")
    assert table.frame["id_number"].tolist() == [ID_1]
    assert table.encoding == "utf-16"


def test_decode_prefers_strict_utf8_for_short_text() -> None:
    assert decode("张".encode()) == ("张", "utf-8")
    assert decode("张".encode("gb18030")) == ("张", "gb18030")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a,b\n1,2", ","), ("a\tb\n1\t2", "\t"), ("a;b;c\n1;2;3", ";"), ("标题\n", ",")],
)
def test_delimiter_is_the_one_used_most(text: str, expected: str) -> None:
    assert sniff_delimiter(text) == expected


def test_roster_csv_meta_headers_do_not_clash(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    header = "姓名,公民身份号码,残疾等级,是否新增,来源文件,工作表,行号"
    path.write_bytes(
        codecs.BOM_UTF8 + f"{header}\n甲,{ID_1},二级,是,小店区.xlsx,持证人员,7\n".encode()
    )
    frame = read_table(path, "roster").frame
    row = frame.iloc[0]
    assert (row["orig_source"], row["orig_sheet"], row["orig_row"]) == (
        "小店区.xlsx",
        "持证人员",
        "7",
    )
    assert (row["_source"], row["_sheet"], row["_row"]) == ("roster.csv", "", 2)


def test_ragged_rows_under_the_header_are_padded(tmp_path: Path) -> None:
    # Hand-made CSV: an empty line, a one-cell total and a short row force the slow parser.
    path = tmp_path / "ragged.csv"
    path.write_text(
        f"姓名,身份证号,残疾等级\n甲,{ID_1},一级\n\n乙,{ID_2}\n合　计\n丙,{ID_1},三级,多余\n",
        encoding="utf-8",
    )
    table = read_table(path, "dpf")
    frame = table.frame
    assert frame["name"].tolist() == ["甲", "乙", "丙"]
    assert frame["_row"].tolist() == [2, 4, 6]
    assert frame["level"].isna().tolist() == [False, True, False]
    assert table.dropped == {"空行": 1, "合计行": 1}


@pytest.mark.parametrize(
    "marker", ["合计", "合 计", "合　计", "合计：", "总计", "小计（元）", " 合计"]
)
def test_total_row_markers(tmp_path: Path, marker: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(f"序号,姓名,身份证号\n1,甲,{ID_1}\n{marker},2人,\n", encoding="utf-8")
    table = read_table(path, "dpf")
    assert table.frame["name"].tolist() == ["甲"]
    assert table.dropped == {"合计行": 1}


def test_parquet_columns_keep_their_damage_visible(tmp_path: Path) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "dpf.parquet"
    table = pa.table(
        {
            "姓名": ["甲", "乙"],
            "公民身份号码": pa.array([140105199001010011, 140105800101001], type=pa.int64()),
            "残疾人证号": pa.array([1.4010519900101e19, None]),
            "发证日期": pa.array([dt.date(2024, 7, 1), None]),
        }
    )
    pq.write_table(table, path)
    frame = read_table(path, "dpf").frame
    # An integer column holds every digit; a float column shows its exponent.
    assert frame["id_number"].tolist() == ["140105199001010011", "140105800101001"]
    assert frame.loc[0, "cert_number"] == "1.4010519900101e+19"
    assert frame.loc[0, "issue_date"] == "2024-07-01"
    assert frame["_row"].tolist() == [2, 3]
    assert frame["_sheet"].tolist() == ["", ""]


def test_unclosed_quote_is_a_located_format_error(tmp_path: Path) -> None:
    from fanpin.errors import ErrorCode, InputError

    path = tmp_path / "bad.csv"
    path.write_text(f'姓名,身份证号\n"甲,{ID_1}\n乙,{ID_2}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path, "dpf")
    problem = caught.value.problems[0]
    assert (problem.code, problem.file) == (ErrorCode.FILE_UNREADABLE, "bad.csv")
    assert "CSV 格式错误" in problem.message


def test_old_mac_line_ends_are_lines(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(f"姓名,身份证号\r甲,{ID_1}\r乙,{ID_2}\r".encode())
    frame = read_table(path, "dpf").frame
    assert frame["_row"].tolist() == [2, 3]
