#!/bin/sh
# Dependency vulnerability audit of the lock file (issue 16), with pip-audit (PyPI / OSV advisories).
#   tools/dep_audit.sh [requirements-lock-file]
# Exit 1 when a known vulnerability is found. Warn-only (a WARNING line, exit 0) when the audit could not be
# done: pip-audit missing, the advisory database unreachable (offline CI), or packages that could not be
# looked up. Offline, pip-audit itself says "No known vulnerabilities found" while it skipped every package
# ("Dependency not found on PyPI and could not be audited"): that is reported as NOT done, never as clean.
set -u
LOCK="${1:-requirements.lock}"
[ -f "$LOCK" ] || LOCK="requirements.txt"
BIN="${BIN:-.venv/bin}"
if [ ! -x "$BIN/pip-audit" ] && ! command -v pip-audit >/dev/null 2>&1; then
  echo "WARNING: pip-audit is not installed; dependency audit NOT done (warn-only; add pip-audit to the dev requirements)"
  exit 0
fi
AUDIT="$BIN/pip-audit"; [ -x "$AUDIT" ] || AUDIT="pip-audit"
OUT=$(mktemp)
"$AUDIT" --requirement "$LOCK" --no-deps --disable-pip --progress-spinner off >"$OUT" 2>&1
rc=$?
grep -v "could not be audited" "$OUT" | grep -v "^No known vulnerabilities found" | grep -v "^WARNING:pip_audit" | grep -v "^Name  *Skip Reason" | grep -v "^-----"
total=$(grep -cE '^[A-Za-z0-9_.-]+==' "$LOCK")
skipped=$(grep -c "could not be audited" "$OUT")
if [ $rc -ne 0 ] && grep -qiE "connection|resolve|timed out|network|offline|Max retries|HTTPSConnectionPool" "$OUT"; then
  echo "WARNING: the advisory database (PyPI/OSV) could not be reached; dependency audit NOT done (warn-only)"
  rm -f "$OUT"; exit 0
fi
rm -f "$OUT"
if [ $rc -ne 0 ]; then
  echo "dependency audit: known vulnerabilities found in $LOCK (see above)"
  exit $rc
fi
if [ "$skipped" -ge "$total" ] && [ "$total" -gt 0 ]; then
  echo "WARNING: none of the $total packages of $LOCK could be looked up (advisory database unreachable, offline?); dependency audit NOT done (warn-only)"
elif [ "$skipped" -gt 0 ]; then
  echo "WARNING: $skipped of $total packages of $LOCK could not be looked up; they were NOT audited (warn-only)"
else
  echo "dependency audit: $total packages of $LOCK, no known vulnerabilities"
fi
exit 0
