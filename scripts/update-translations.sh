#!/usr/bin/env bash
# Re-extract user-facing strings and merge them into the catalogs (then translate the new ones).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o translations/messages.pot --no-location --sort-output \
  --ignore-dirs=".* _* tests bench migrations optimizer node_modules" .
if [ -f translations/zh_Hans_CN/LC_MESSAGES/messages.po ]; then
  .venv/bin/pybabel update -N -i translations/messages.pot -d translations -l zh_Hans_CN
else
  .venv/bin/pybabel init -i translations/messages.pot -d translations -l zh_Hans_CN
fi
grep -c '^msgstr ""$' translations/zh_Hans_CN/LC_MESSAGES/messages.po || true
