#!/usr/bin/env bash
# Install the Debian packages the test suite needs (Chromium for browser tests, GNU gettext for
# the translation checks) when they are missing. Needs root and apt-get; otherwise it says what
# to install and leaves the decision to you (the browser tests then skip outside CI).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
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
