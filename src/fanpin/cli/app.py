"""The fanpin command-line app: one Typer app, commands registered from their modules."""

from __future__ import annotations

import importlib
import logging
import sys

import typer

from fanpin import __version__
from fanpin.cli.common import state
from fanpin.cli.zh import localise_typer, usage_message
from fanpin.errors import FanpinError, InputError, LockedError

# Each module exposes register(app). Add a new command's module here.
COMMAND_MODULES = [
    "fanpin.cli.compare",
    "fanpin.cli.measures",
    "fanpin.cli.run",
    "fanpin.cli.runs",
    "fanpin.cli.history",
    "fanpin.cli.diff",
    "fanpin.cli.feedback",
    "fanpin.cli.mask",
    "fanpin.cli.quota",
    "fanpin.cli.annex2",
    "fanpin.cli.annex3",
    "fanpin.cli.template",
    "fanpin.cli.validate",
    "fanpin.cli.rollup",
    "fanpin.cli.eval",
]

app = typer.Typer(
    name="fanpin",
    help=(
        "fanpin：残疾人帮扶数据三方比对工具（残联、民政、乡村振兴）。\n\n"
        "示例：fanpin compare --dpf 持证残疾人.xlsx --dibao 低保.xlsx "
        "--subsidy 两项补贴.csv --monitor 监测.xlsx --quarter 2024Q3 --out 结果"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fanpin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="出错时显示完整的技术信息（调用栈）。"),
    log_json: bool = typer.Option(
        False, "--log-json", help="日志以每行一个 JSON 对象写到标准错误（供定时任务使用）。"
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="显示更多运行日志。"),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="显示版本号。"
    ),
) -> None:
    """fanpin：残疾人帮扶数据三方比对工具。"""
    state.debug = debug
    state.log_json = log_json
    state.configure_logging(verbose=verbose)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Entry point: run the app and translate errors into exit codes once, here."""
    localise_typer()
    try:
        code = app(prog_name="fanpin", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors, told in Chinese
        if type(exc).__name__ == "NoArgsIsHelpError":
            ctx = getattr(exc, "ctx", None)
            state.out.print(ctx.get_help() if ctx is not None else "")
            sys.exit(0)
        state.error(usage_message(exc) + "\n用 fanpin 命令 --help 查看用法。")
        sys.exit(2)
    except typer.Abort:
        state.error("已取消。")
        sys.exit(1)
    except InputError as exc:
        state.error(f"输入有误：\n{exc.summary()}")
        sys.exit(2)
    except (LockedError, FanpinError) as exc:
        state.error(str(exc))
        sys.exit(2)
    except Exception as exc:  # the one place unexpected errors are turned into exit 1
        if state.debug:
            raise
        logging.getLogger("fanpin").error("unexpected error: %s", type(exc).__name__)
        state.error(
            f"程序内部错误（{type(exc).__name__}）。请加 --debug 重新运行并把输出交给维护人员。"
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
