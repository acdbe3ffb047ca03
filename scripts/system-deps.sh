#!/usr/bin/env bash
# Installs what the tests need from Debian: chromium (browser tests), the WeasyPrint libraries (PDF) and gettext
# (the catalogue test runs makemessages), and pgbouncer (tests/ops/test_pg_pgbouncer.py starts its own on a free port;
# the package's own service, if systemd starts it, is not used).
# As root it installs them; otherwise it says what to install.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
for lib in libpango-1.0-0 libpangoft2-1.0-0; do
  dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
done
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
command -v xgettext >/dev/null 2>&1 || need+=(gettext)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ]; then
  echo "Installing from Debian: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Missing Debian packages (install as root): apt-get install ${need[*]}"
  echo "Browser tests are skipped without chromium (and fail when HELHET_REQUIRE_BROWSER=1)."
fi
