#!/usr/bin/env bash
# Make sure LibreOffice Calc (headless), a CJK font and pdftotext are present, so the
# tests marked `office` can open every workbook fanpin writes. Installs with apt-get
# when missing; never fails the build: when the install is impossible it says why and
# the office tests skip with a reason.
set -u

need=()
command -v soffice >/dev/null 2>&1 || need+=("libreoffice-calc-nogui")
command -v pdftotext >/dev/null 2>&1 || need+=("poppler-utils")
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    need+=("fonts-noto-cjk")
fi

if [ ${#need[@]} -eq 0 ]; then
    echo "ensure_office: LibreOffice、中文字体和 pdftotext 均已安装。"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_office: 本机没有 apt-get，无法自动安装 ${need[*]}；office 测试将跳过。"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_office: 需要 root 权限才能安装 ${need[*]}；office 测试将跳过。"
    exit 0
fi

start=$(date +%s)
echo "ensure_office: 正在安装 ${need[*]}（首次约需几分钟）……"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >/dev/null 2>&1; then
    echo "ensure_office: apt-get update 失败（网络或软件源不可用）；office 测试将跳过。"
    exit 0
fi
install() {
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}
if ! install "${need[@]}"; then
    # Older releases have no -nogui package; fall back to the plain one.
    fallback=("${need[@]/libreoffice-calc-nogui/libreoffice-calc}")
    fallback=("${fallback[@]/fonts-noto-cjk/fonts-wqy-zenhei}")
    if ! install "${fallback[@]}"; then
        echo "ensure_office: 安装 ${need[*]} 失败；office 测试将跳过。"
        exit 0
    fi
fi
echo "ensure_office: 安装完成，用时 $(( $(date +%s) - start )) 秒。"
