#!/bin/sh
# Installs the Debian packages the tests use, when they are missing and we are root.
# socat: serial pty pairs for Modbus RTU; mbpoll: an independent Modbus master;
# prometheus: promtool and a real Prometheus server for the end-to-end scrape;
# chromium + chromium-driver: the web page's test in a real headless browser.
#   scripts/system-deps.sh          everything the tests use
#   scripts/system-deps.sh socat    only the named commands (the demo needs socat alone)
set -eu
package_of() {
    case "$1" in
        promtool|prometheus) echo prometheus ;;
        chromedriver) echo chromium-driver ;;
        *) echo "$1" ;;
    esac
}
wanted="${*:-socat mbpoll promtool prometheus chromium chromedriver}"
missing=""
for command in $wanted; do
    package=$(package_of "$command")
    if ! command -v "$command" >/dev/null 2>&1; then
        case " $missing " in *" $package "*) ;; *) missing="$missing $package" ;; esac
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: missing:$missing; install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "system-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
