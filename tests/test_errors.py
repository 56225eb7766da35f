"""How input problems are told to the user."""

from __future__ import annotations

from fanpin.errors import ErrorCode, InputError, InputProblem


def _bad(row: int, value: str) -> InputProblem:
    return InputProblem(
        ErrorCode.BAD_VALUE,
        "不是可识别的等级",
        file="a.xlsx",
        sheet="S",
        row=row,
        column="残疾等级",
        value=value,
    )


def test_problem_names_file_sheet_row_column_and_value() -> None:
    assert _bad(7, "五级").render() == (
        "文件“a.xlsx”，工作表“S”，第7行，列“残疾等级”，值“五级”：不是可识别的等级"
    )


def test_command_line_option_is_called_an_option_not_a_column() -> None:
    problem = InputProblem(ErrorCode.BAD_OPTION, "季度格式不对", column="--quarter", value="x")
    assert problem.render() == "选项“--quarter”，值“x”：季度格式不对"


def test_many_problems_are_grouped_with_their_true_count() -> None:
    error = InputError([_bad(row, "五级") for row in range(2, 5002)])
    text = error.summary()
    assert "同类问题共 5000 处" in text
    assert "行号 2、3、4、5、6……" in text
    assert text.endswith("共 5000 处问题。")
