#!/usr/bin/env bash
# README command 1: install everything and build the sample county portal (then preview it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install.sh
echo
echo "== 构建示例县门户网站 / building the sample portal =="
status=0
.venv/bin/invoke build || status=$?
echo
echo "预览 / preview:  .venv/bin/invoke serve   然后打开 / then open  http://127.0.0.1:8000/"
echo "报告 / report:   reports/index.html"
exit $status
