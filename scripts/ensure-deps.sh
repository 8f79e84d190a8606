#!/usr/bin/env bash
# Checks what soaptape needs from the system, and installs it with apt-get when it can.
# Needed: a Swift 6 toolchain, pkg-config, and libxml2's development files (libxml2-dev).
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
    echo "soaptape needs a Swift 6 toolchain: install it from swift.org and put 'swift' on PATH." >&2
    exit 2
fi

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! pkg-config --exists libxml-2.0 2>/dev/null; then missing+=(libxml2-dev); fi
if ! pkg-config --exists zlib 2>/dev/null; then missing+=(zlib1g-dev); fi
for tool in "$@"; do
    case "$tool" in
        xmllint) command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils) ;;
        xmlunit) [ -f /usr/share/java/xmlunit.jar ] || missing+=(libxmlunit-java) ;;
        java) command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless) ;;
        python3-venv) python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv) ;;
        openssl) command -v openssl >/dev/null 2>&1 || missing+=(openssl) ;;
        nginx) command -v nginx >/dev/null 2>&1 || missing+=(nginx-light) ;;
        wrk) command -v wrk >/dev/null 2>&1 || missing+=(wrk) ;;
        chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
        php-soap) php -m 2>/dev/null | grep -qx soap || missing+=(php-cli php-soap) ;;
        gnu-time) [ -x /usr/bin/time ] || missing+=(time) ;;
        gsoap) { command -v soapcpp2 >/dev/null 2>&1 && pkg-config --exists gsoap++ 2>/dev/null; } \
            || missing+=(gsoap libgsoap-dev g++) ;;
        jaxws) [ -f /usr/share/java/jaxws-tools.jar ] || missing+=(libjaxws-java) ;;
        soap-lite) perl -MSOAP::Lite -MHTTP::Daemon -e 1 >/dev/null 2>&1 || missing+=(libsoap-lite-perl) ;;
    esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo"
    else
        echo "soaptape needs these Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
        exit 2
    fi
    echo "Installing ${missing[*]} with apt-get…" >&2
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    exit 0
fi
echo "soaptape needs: ${missing[*]} (libxml2's development files and pkg-config). Install them with your package manager." >&2
exit 2
