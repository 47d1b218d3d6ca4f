#!/usr/bin/env bash
# Dependency audit (issue #10): known vulnerabilities in the installed environment.
# pip-audit asks the PyPI JSON API (-s pypi) about every installed distribution; the
# editable kekiz itself is skipped.  Exit status: 0 clean, 1 vulnerabilities found,
# 3 the vulnerability service could not be asked for most packages (offline?) -- an audit
# that audited nothing must not pass silently.
#   bash scripts/audit-deps.sh            (uses .venv)
set -uo pipefail
VENV="${VENV:-.venv}"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
"$VENV/bin/pip-audit" -s pypi --progress-spinner off --skip-editable \
    --path "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
    "$@" >"$OUT" 2>&1
rc=$?
cat "$OUT"
total="$("$VENV/bin/python" -m pip list --format freeze 2>/dev/null | wc -l)"
missed="$(grep -c 'could not be audited' "$OUT" || true)"
if [ "$rc" -eq 0 ] && [ "$missed" -gt $((total / 2)) ]; then
    echo "audit-deps: $missed of $total packages could not be audited (no access to the" \
         "PyPI vulnerability data?); the audit did not run" >&2
    exit 3
fi
exit "$rc"
