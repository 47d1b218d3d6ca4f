#!/usr/bin/env bash
# Installs what the test suite needs from Debian's packages when it is missing:
# the PostgreSQL server (storage tests run against a private cluster the tests start),
# Chromium (browser tests of the web pages, driven by Playwright; never a downloaded
# browser) and GDAL's command-line tools (ogrinfo reads the OGC API - Features).
# As root it installs; otherwise it says loudly what is missing (the tests then skip,
# or fail under CI=true).
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
  || missing+=(postgresql)
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
# pdftoppm turns report PDFs into PNG pages; WeasyPrint needs Pango.
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-services: installing ${missing[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts a cluster on install in some setups; the tests use their own.
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for c in $(pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}'); do
      pg_ctlcluster ${c%/*} ${c#*/} stop >/dev/null 2>&1 || true
    done
  fi
else
  echo "!!! test-services: missing ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
  echo "!!! the tests that need them will be SKIPPED (and FAIL under CI=true)" >&2
fi
