#!/usr/bin/env bash
# Apply the translations of a small .po file (first argument) to the Dutch catalogue: its
# entries win and lose their fuzzy flags; the catalogue keeps its own header. For merging
# translations written on a branch. Run `make messages compilemessages` afterwards.
set -euo pipefail
catalogue=src/alliantiemonitor/locale/nl/LC_MESSAGES/django.po
header=$(mktemp)
awk 'BEGIN{p=1} /^$/{exit} {print}' "$catalogue" > "$header"
msgcat --use-first --no-location "$1" "$catalogue" -o "$catalogue.new"
{ cat "$header"; echo; awk 'BEGIN{body=0} body{print} /^$/{body=1}' "$catalogue.new"; } > "$catalogue"
rm -f "$catalogue.new" "$header"
