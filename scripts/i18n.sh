#!/usr/bin/env bash
# Translation catalog maintenance (Flask-Babel, domain "messages").
#
#   scripts/i18n.sh extract   # source + templates -> core/translations/messages.pot
#   scripts/i18n.sh update    # extract, then merge the .pot into the zh catalog
#   scripts/i18n.sh compile   # .po -> .mo (the .mo files are git-ignored)
#
# English is the msgid language, so zh is the only catalog. After `update`,
# translate the new empty msgstr entries in core/translations/zh/LC_MESSAGES/messages.po
# (tests/test_i18n.py fails while any are missing).
# Use another pybabel with PYBABEL=/path/to/pybabel.
set -euo pipefail

PYBABEL="${PYBABEL:-}"
# A relative PYBABEL path given by the caller is relative to the caller's directory.
if [[ "$PYBABEL" == */* && "$PYBABEL" != /* ]]; then
    PYBABEL="$PWD/$PYBABEL"
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
TRANSLATIONS=core/translations
POT="$TRANSLATIONS/messages.pot"
LOCALES=(zh)

extract() {
    mkdir -p "$TRANSLATIONS"
    # babel.cfg names the source trees; --ignore-dirs keeps the walk out of
    # .venv, caches and other non-source directories.
    "$PYBABEL" --quiet extract \
        --mapping-file=babel.cfg \
        --keyword=_l --keyword=lazy_gettext --keyword=lazy_ngettext:1,2 \
        --ignore-dirs='.* _* node_modules static migrations tests instance' \
        --add-location=file --sort-output \
        --project=loan-auction --version=0.1 \
        --output-file="$POT" .
}

update() {
    extract
    local locale
    for locale in "${LOCALES[@]}"; do
        # New msgids arrive untranslated (no fuzzy guesses); removed ones are dropped.
        "$PYBABEL" --quiet update \
            --input-file="$POT" --output-dir="$TRANSLATIONS" --locale="$locale" \
            --init-missing --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
    done
}

compile() {
    "$PYBABEL" --quiet compile --directory="$TRANSLATIONS"
}

case "${1:-}" in
    extract) extract ;;
    update) update ;;
    compile) compile ;;
    *)
        echo "usage: $0 {extract|update|compile}" >&2
        exit 2
        ;;
esac
