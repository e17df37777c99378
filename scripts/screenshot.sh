#!/usr/bin/env bash
# A picture of a report.html or compare.html as a browser shows it, to check that the page reads well.
# Headless Chromium from the system's packages (Debian/Ubuntu: apt-get install chromium); not needed by the tests.
#
#   scripts/screenshot.sh PAGE.html [OUT.png] [WIDTH,HEIGHT]
#
# OUT defaults to PAGE with .png for .html; the window is 1280×4000 pixels unless given (the picture is the
# window: a longer page is cut). OPEN=1 opens every collapsed section first (on a copy; the page is untouched).
set -euo pipefail

page=${1:?usage: scripts/screenshot.sh PAGE.html [OUT.png] [WIDTH,HEIGHT]}
out=${2:-${page%.html}.png}
size=${3:-1280,4000}
[ -f "$page" ] || { echo "error: $page is not a file" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "error: no Chromium found (apt-get install chromium)" >&2; exit 1; }

shown=$(realpath "$page")
if [ "${OPEN:-0}" = 1 ]; then
    copy=$(mktemp --suffix=.html)
    trap 'rm -f "$copy"' EXIT
    sed 's/<details>/<details open>/g' "$page" > "$copy"
    shown=$copy
fi
flags=(--headless --disable-gpu --hide-scrollbars --window-size="$size")
[ "$(id -u)" = 0 ] && flags+=(--no-sandbox)  # Chromium refuses to run as root inside its sandbox
"$browser" "${flags[@]}" --screenshot="$(realpath -m "$out")" "file://$shown" 2>/dev/null
echo "$out"
