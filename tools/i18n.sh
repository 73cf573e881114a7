#!/usr/bin/env bash
# Extract the Chinese source strings of every app into its locale/en/LC_MESSAGES/django.po and compile.
# Source strings are Chinese (zh-Hans first); English is the translation kept working
# (tests/foundation/test_i18n.py fails on any untranslated or fuzzy entry).
set -euo pipefail
cd "$(dirname "$0")/../src/yigongti"
YG=../../.venv/bin/yigongti
for app in */; do
  app=${app%/}
  [ -f "$app/apps.py" ] || continue
  mkdir -p "$app/locale"
  (cd "$app" && ../$YG makemessages -l en --no-obsolete -i "migrations/*" -v 0)
  [ -s "$app/locale/en/LC_MESSAGES/django.po" ] || rm -rf "$app/locale"
done
$YG compilemessages -v 0 --ignore ".venv"
