#!/usr/bin/env python3
"""Turns a call plan (Tests/Interop/plan/wsdl_plan.py's JSON) into the feed the gSOAP binaries read on stdin.

    plan_feed.py key PLAN.json               prints the build key of the plan's WSDL (<Version>-<Agent>), a tab,
                                             and the WSDL file's absolute path
    plan_feed.py client PLAN.json            the client's feed: request_xml and headers_xml of every operation
    plan_feed.py server PLAN.json VARIANT    the server's feed: the WSDL file, the endpoint path, and
                                             response_xml[VARIANT] and response_headers_xml of every operation

The feed is a sequence of records "KEY LENGTH\\n" + LENGTH bytes of UTF-8 + "\\n", ended by an "end" record, so
the C++ side needs no JSON parser and sees a truncated feed as an error. The XML strings pass through unchanged
(an XML declaration in front of a header block is dropped, since the blocks are joined into one SOAP Header).
"""
import json
import os
import re
import sys

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


def fail(msg):
    sys.stderr.write("plan_feed.py: %s\n" % msg)
    sys.exit(2)


def wsdl_file(plan):
    path = plan.get("wsdl")
    if not path:
        fail("the plan names no wsdl")
    for candidate in (path, os.path.join(REPO, path)):
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    fail("the plan's WSDL %s is not found (relative to %s or the current directory)" % (path, REPO))


def build_key(plan):
    # specs/<Version>/<Agent>/<Agent>.wsdl -> <Version>-<Agent>
    parts = os.path.normpath(plan.get("wsdl", "")).split(os.sep)
    if len(parts) < 3:
        fail("cannot tell <Version>/<Agent> from the plan's wsdl %r" % plan.get("wsdl"))
    return "%s-%s" % (parts[-3], parts[-2])


def record(out, key, value):
    data = value.encode("utf-8")
    out.write(("%s %d\n" % (key, len(data))).encode("ascii"))
    out.write(data)
    out.write(b"\n")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("key", "client", "server"):
        fail("usage: plan_feed.py key|client|server PLAN.json [VARIANT]")
    mode, plan_path = sys.argv[1], sys.argv[2]
    try:
        with open(plan_path, encoding="utf-8") as f:
            plan = json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read the plan %s: %s" % (plan_path, e))
    if plan.get("format") != 1:
        fail("unsupported plan format %r" % plan.get("format"))
    if mode == "key":
        print("%s\t%s" % (build_key(plan), wsdl_file(plan)))
        return
    variant = None
    if mode == "server":
        variant = sys.argv[3] if len(sys.argv) > 3 else "normal"
        if variant not in ("normal", "changed", "dropped"):
            fail("unknown variant %r (normal, changed or dropped)" % variant)
    out = sys.stdout.buffer
    record(out, "format", "gsoap-feed 1")
    record(out, "endpoint_path", plan.get("endpoint_path") or "")
    if mode == "server":
        record(out, "wsdl_file", wsdl_file(plan))
    for op in plan.get("operations", []):
        record(out, "operation", op["name"])
        if mode == "client":
            record(out, "body", op["request_xml"])
            blocks = op.get("headers_xml") or []
        else:
            record(out, "body", op["response_xml"][variant])
            blocks = op.get("response_headers_xml") or []
        for block in blocks:
            record(out, "header", XML_DECL.sub("", block))
    record(out, "end", "")
    out.flush()


if __name__ == "__main__":
    main()
