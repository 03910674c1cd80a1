#!/bin/sh
# Installs the Debian packages the tests use, when they are missing and we are root.
# socat: serial pty pairs for Modbus RTU; mbpoll: an independent Modbus master;
# prometheus: promtool and a real Prometheus server for the end-to-end scrape;
# chromium + chromium-driver: the web page's test in a real headless browser.
set -eu
missing=""
command -v socat >/dev/null 2>&1 || missing="$missing socat"
command -v mbpoll >/dev/null 2>&1 || missing="$missing mbpoll"
command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: missing:$missing; install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "system-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
