#!/usr/bin/env bash
# Extract the Chinese source strings of the named apps (default: all) into <app>/locale/en/LC_MESSAGES/
# django.po and compile them. Source strings are Chinese (zh-Hans first); English is the translation
# kept working (tests/foundation/test_i18n.py fails on any untranslated or fuzzy entry).
#   tools/i18n.sh            every app
#   tools/i18n.sh people kpi only these
set -euo pipefail
cd "$(dirname "$0")/../src/yigongti"
YG=$(cd ../.. && pwd)/.venv/bin/yigongti
apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
  for d in */; do [ -f "$d/apps.py" ] && apps+=("${d%/}"); done
fi
for app in "${apps[@]}"; do
  mkdir -p "$app/locale"
  (cd "$app" && "$YG" makemessages -l en --no-obsolete -i "migrations/*" -v 0)
  if [ -s "$app/locale/en/LC_MESSAGES/django.po" ]; then
    (cd "$app" && "$YG" compilemessages -v 0)
  else
    rm -rf "$app/locale"
  fi
done
