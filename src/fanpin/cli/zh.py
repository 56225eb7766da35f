"""Chinese for the words Typer prints itself (panel titles, the help option, usage errors).

Typer keeps these strings in module globals and in its vendored click; we set them once at
start-up. Known shortcoming: this relies on Typer internals (typer.rich_utils constants and
typer._click), so each assignment is guarded and a Typer upgrade at worst brings English back.
"""

from __future__ import annotations

from typing import Any

import typer

HELP_TEXT = "显示本帮助并退出。"


def localise_typer() -> None:
    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover - Typer without rich
        return
    titles = {
        "ARGUMENTS_PANEL_TITLE": "参数",
        "OPTIONS_PANEL_TITLE": "选项",
        "COMMANDS_PANEL_TITLE": "命令",
        "ERRORS_PANEL_TITLE": "错误",
        "ABORTED_TEXT": "已取消。",
        "DEFAULT_STRING": "[默认：{}]",
        "REQUIRED_LONG_STRING": "[必填]",
        "ENVVAR_STRING": "[环境变量：{}]",
        "DEPRECATED_STRING": "（已弃用）",
        "RICH_HELP": "用 [blue]'{command_path} {help_option}'[/] 查看用法。",
    }
    for name, text in titles.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)
    _localise_help_option()


def _localise_help_option() -> None:
    try:
        from typer._click.core import Command
    except ImportError:  # pragma: no cover
        return
    original = Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    Command.get_help_option = get_help_option  # type: ignore[method-assign]


def usage_message(exc: typer.TyperException) -> str:
    """A Chinese sentence for a command-line usage error."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    hint = "、".join(getattr(param, "opts", []) or []) or getattr(exc, "param_hint", "") or ""
    if kind == "MissingParameter":
        return f"缺少必填的选项 {hint}"
    if kind == "NoSuchOption":
        return f"没有这个选项：{getattr(exc, 'option_name', '')}"
    if kind == "BadParameter":
        return f"选项 {hint} 的值不对：{getattr(exc, 'message', '')}"
    if kind in ("BadOptionUsage", "BadArgumentUsage"):
        return f"选项用法不对：{getattr(exc, 'message', '')}"
    message = getattr(exc, "message", "") or str(exc)
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.rfind("(") + 1 : message.rfind(")")]
        return f"多余的参数：{extra}（文件要写在选项后面，如 --dpf 文件）"
    if message.startswith("No such command"):
        return f"没有这个命令：{message.split(' ', 3)[-1]}"
    return f"用法有误：{message}"
