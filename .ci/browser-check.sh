#!/usr/bin/env bash
# Browser test of samples/Server (issue 7, item 5) and its bounded load check (item 6).
# Installs Debian's chromium and chromium-driver when missing (needs root or sudo), builds the server and
# tests/BrowserTest, runs the browser test (headless, loopback only), then the load check.
# Called by .ci/run after the tests; by hand:  .ci/browser-check.sh [--no-load]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
fi

dotnet build samples/Server -c Release -nologo -v q
dotnet build tests/BrowserTest -c Release -nologo -v q
dotnet tests/BrowserTest/bin/Release/net10.0/BrowserTest.dll

if [ "${1:-}" != "--no-load" ]; then
  # 2,000 requests from 16 parallel clients on loopback, at most 120 s; non-zero exit on any failure.
  dotnet samples/Server/bin/Release/net10.0/Server.dll --load 2000 --concurrency 16 --timeout 120
fi
