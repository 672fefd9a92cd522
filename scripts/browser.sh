#!/usr/bin/env bash
# Install Debian's chromium and a CJK font for the page tests if they are missing.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium or fonts-noto-cjk missing; install them: apt-get install chromium fonts-noto-cjk" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
echo "chromium installed: $(/usr/bin/chromium --version)"
