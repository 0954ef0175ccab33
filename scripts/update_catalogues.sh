#!/usr/bin/env bash
# Refresh the French and English message catalogues from the source tree.
#
#   scripts/update_catalogues.sh
#
# 1. extracts every message id (N_(), i18n.gettext(locale, ...), i18n.ngettext(...)
#    in Python; _(), gettext(), ngettext() in templates/**.html and templates/**.txt)
#    into tierslieu/locale/messages.pot, following babel.cfg;
# 2. updates tierslieu/locale/{fr,en}/LC_MESSAGES/messages.po (creating a missing one);
#    removed messages are dropped, and new ones start empty (no fuzzy guesses);
# 3. fills the English catalogue: the message ids are English already, so every empty
#    English entry gets its id as translation (edit it there if the wording should differ);
# 4. lists the entries that still lack a translation: translate them in the .po file
#    (keep every %(name)s placeholder), then run
#    pytest tests/shell/test_i18n.py
#
# The catalogues are compiled in memory at start-up: no .mo file is written or kept.
# Set PYBABEL to pick an environment (default: the pybabel on PATH, e.g. the active
# virtualenv's); PYTHON defaults to the interpreter installed next to it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYBABEL=${PYBABEL:-pybabel}
if [[ -z ${PYTHON:-} ]]; then
    PYTHON=$(dirname "$(command -v "$PYBABEL")")/python
    [[ -x $PYTHON ]] || PYTHON=python3
fi
POT=tierslieu/locale/messages.pot
LOCALE_DIR=tierslieu/locale
# Keep in step with KEYWORDS in tests/shell/test_i18n.py.
# gettext/ngettext: the message is the 1st argument of gettext(message) and
# ngettext(singular, plural, n) (templates), the 2nd of i18n.gettext(locale, message, ...)
# and i18n.ngettext(locale, singular, plural, n, ...).
KEYWORDS=(-k _ -k N_ -k gettext:1,1t -k gettext:2 -k ngettext:1,2,3t -k ngettext:2,3)
FILES=("$POT" "$LOCALE_DIR"/fr/LC_MESSAGES/messages.po "$LOCALE_DIR"/en/LC_MESSAGES/messages.po)

# Keep the previous files, so a run that changes nothing but the date leaves no diff.
BACKUP=$(mktemp -d)
trap 'rm -rf "$BACKUP"' EXIT
for file in "${FILES[@]}"; do
    if [[ -f $file ]]; then
        mkdir -p "$BACKUP/$(dirname "$file")"
        cp "$file" "$BACKUP/$file"
    fi
done

"$PYBABEL" --quiet extract -F babel.cfg --no-default-keywords "${KEYWORDS[@]}" \
    --no-location --sort-output --project tierslieu --version 0.1.0 \
    --copyright-holder "the tiers-lieu contributors" -o "$POT" .

for locale in fr en; do
    "$PYBABEL" --quiet update --init-missing --no-fuzzy-matching --ignore-obsolete \
        -i "$POT" -d "$LOCALE_DIR" -l "$locale"
done

"$PYTHON" - "$LOCALE_DIR" <<'PY'
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

locale_dir = Path(sys.argv[1])

# English: the ids are the English text.
en_path = locale_dir / "en" / "LC_MESSAGES" / "messages.po"
with en_path.open("rb") as po_file:
    catalog = read_po(po_file, locale="en")
filled = 0
for message in catalog:
    if not message.id:
        continue
    if isinstance(message.id, tuple):
        if not all(message.string):
            message.string = tuple(
                text or message.id[min(index, 1)] for index, text in enumerate(message.string)
            )
            filled += 1
    elif not message.string:
        message.string = message.id
        filled += 1
if filled:
    with en_path.open("wb") as po_file:
        write_po(po_file, catalog, ignore_obsolete=True)
    print(f"en: {filled} new entries filled with their English id")

missing_any = False
for locale in ("fr", "en"):
    path = locale_dir / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    total = sum(1 for message in catalog if message.id)
    print(f"{locale}: {total} messages, {len(missing)} to translate ({path})")
    for msgid in missing:
        missing_any = True
        print(f"  - {msgid!r}")
if missing_any:
    print("Translate the entries above, then run: pytest tests/shell/test_i18n.py")
PY

for file in "${FILES[@]}"; do
    if [[ -f $BACKUP/$file ]] && diff -q -I '^"POT-Creation-Date: ' "$BACKUP/$file" "$file" >/dev/null; then
        cp "$BACKUP/$file" "$file"
    fi
done
