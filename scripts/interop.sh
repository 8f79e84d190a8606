#!/usr/bin/env bash
# `make interop`: the WSDL interop matrix (Tests/Interop/wsdl_matrix.py, docs/interop.md) — every operation of every
# WSDL committed under specs/, called by zeep, gSOAP, JAX-WS and SOAP::Lite clients generated or driven from the
# WSDLs, answered by PHP's SoapServer, gSOAP and SOAP::Lite servers, through record, verify, serve, replay and
# injected changes. Installs what it needs (Debian packages; PyPI into .build/interop-venv), caches the compiled
# stacks under .build/interop, and fails on any false verdict, missed catch, or shape the traffic no longer carries.
# Usage: scripts/interop.sh SOAPTAPE [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
soaptape=$1
out=${2:-.build/interop/matrix}
venv=.build/interop-venv
if [ ! -f "$venv/.soaptape-ready-2" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q zeep==4.3.3 spyne==2.14.0 waitress==3.0.2 suds-community==1.2.0 PyYAML==6.0.2
    touch "$venv/.soaptape-ready-2"
fi
rm -rf "$out"
"$venv/bin/python" Tests/Interop/wsdl_matrix.py "$soaptape" "$out" --require-shapes
"$venv/bin/python" Tests/Interop/shadow_interop.py "$soaptape" "$out/shadow"
echo "interop: the table is in $out/wsdl-matrix.md"
