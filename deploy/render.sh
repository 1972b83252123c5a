#!/usr/bin/env bash
# Renders deploy/nginx/stamina.conf (or the template given with --template) to stdout, filling its
# {{placeholders}} from KEY=VALUE arguments. Refuses a missing or unknown key, a value that could
# break out of its directive, and leaves no placeholder behind, so a typo never reaches nginx -t.
#   deploy/render.sh server_name=stamina.example.org certificate=/etc/ssl/c.pem \
#       certificate_key=/etc/ssl/k.pem > /etc/nginx/sites-available/stamina
# Defaults: listen_https=443 listen_http=80 upstream=127.0.0.1:8080.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true

template="$(dirname "$0")/nginx/stamina.conf"
declare -A values=([listen_https]=443 [listen_http]=80 [upstream]=127.0.0.1:8080)
keys=(server_name listen_https listen_http certificate certificate_key upstream)

while [ $# -gt 0 ]; do
    case "$1" in
    --template)
        template="$2"
        shift 2
        continue
        ;;
    *=*) ;;
    *)
        echo "render.sh: expected KEY=VALUE, got '$1'" >&2
        exit 2
        ;;
    esac
    key="${1%%=*}"
    value="${1#*=}"
    known=0
    for k in "${keys[@]}"; do [ "$k" = "$key" ] && known=1; done
    if [ "$known" -eq 0 ]; then
        echo "render.sh: unknown key '$key' (known: ${keys[*]})" >&2
        exit 2
    fi
    # nginx directive syntax: a value with whitespace, ';', braces, quotes or '$' would change the
    # meaning of the file instead of filling one argument.
    if [ -z "$value" ] || [[ "$value" =~ [[:space:]\;\{\}\"\'\$\#] ]]; then
        echo "render.sh: '$key' must be one non-empty word without spaces, ; { } quotes, \$ or #" >&2
        exit 2
    fi
    values[$key]="$value"
    shift
done

text="$(cat "$template")"
for key in "${keys[@]}"; do
    if [ -z "${values[$key]:-}" ]; then
        echo "render.sh: missing $key=VALUE" >&2
        exit 2
    fi
    text="${text//"{{${key}}}"/"${values[$key]}"}"
done
if [[ "$text" == *"{{"* ]]; then
    echo "render.sh: $template has a placeholder render.sh does not know" >&2
    exit 2
fi
printf '%s\n' "$text"
