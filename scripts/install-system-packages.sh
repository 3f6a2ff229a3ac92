#!/usr/bin/env bash
# Install the Debian packages the project needs when they are missing. Needs root and apt-get;
# otherwise it says what to install and leaves the decision to you.
#
#   --runtime  only what the application itself needs: Pango, HarfBuzz and a font for
#              WeasyPrint, which writes the study report and the client's PDFs (DejaVu Sans
#              covers the Turkish and Polish letters and Arabic), and espeak-ng, which speaks
#              the read-aloud audio offline (`make install`, so `make demo`)
#   (none)     that, and what the test suite needs: Chromium for the browser tests and GNU
#              gettext for the translation checks (`make install-test`; the browser and
#              read-aloud tests skip without Chromium or espeak-ng outside CI)
set -euo pipefail
runtime_only=false
case "${1:-}" in
  --runtime) runtime_only=true ;;
  "") ;;
  *) echo "usage: $0 [--runtime]" >&2; exit 2 ;;
esac
missing=()
# Without dpkg (not Debian) the libraries cannot be checked here; WeasyPrint names what it lacks.
if command -v dpkg-query >/dev/null 2>&1; then
  for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
fi
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
if [ "$runtime_only" = false ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]} (install them with apt-get as root)." >&2
  [ -z "${CI:-}" ] || exit 1
fi
