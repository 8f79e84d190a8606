#!/usr/bin/env python3
"""Checks for the call plans made by wsdl_plan.py (runs in a few seconds).

Usage::

    .build/interop-venv/bin/python Tests/Interop/plan/check_plan.py [--soaptape PATH | --skip-soaptape] [WSDL ...]

Without WSDL arguments the four WSDLs of the interop matrix are checked. For each WSDL:

1. every operation of its SOAP 1.1 binding is in the plan, in binding order;
2. every request, header block, response (normal, changed) and response header block, wrapped in a SOAP 1.1
   Envelope (headers in Header, payload in Body), is valid against the WSDL by ``soaptape validate FILE --schema
   WSDL`` and by lxml's XMLSchema (the WSDL's schemas assembled into one set, with a minimal SOAP 1.1 Envelope
   schema whose Header and Body children are validated strictly); ``dropped`` envelopes are checked the same
   way and the ones the schema rejects are listed (not a failure);
3. two runs give byte-identical output; ``changed`` has the same shape as ``normal`` with every leaf value
   different; ``dropped`` is the response element without children; every ``*_xml`` string is the same tree as
   its NODE (names, namespaces, text, xsi:nil, xsi:type);
4. spot checks: recursion (Services88 AddTicketsToFavouritesByProvider), inheritance (CustomerService
   CsFeatureToggle), arrays of 2 items (1 in a recursive nested occurrence); and a synthetic WSDL exercises the
   derived-type (xsi:type) rule, which none of the four real WSDLs triggers.

Exit status 0 when everything holds, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

try:
    from lxml import etree
except ImportError:  # pragma: no cover
    sys.exit("%s: the Python package 'lxml' is missing; run it with .build/interop-venv/bin/python "
             "(python3 -m venv .build/interop-venv && .build/interop-venv/bin/pip install lxml)" % __file__)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
GENERATOR = os.path.join(HERE, "wsdl_plan.py")
DEFAULT_WSDLS = [
    "specs/Services84/Favourite/Favourite.wsdl",
    "specs/Services88/Favourite/Favourite.wsdl",
    "specs/Services86/CustomerService/CustomerService.wsdl",
    "specs/Services86/ErpSync/ErpSync.wsdl",
]
XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
ENV11 = "http://schemas.xmlsoap.org/soap/envelope/"

ENVELOPE_XSD = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="%s" xmlns:tns="%s"
           elementFormDefault="qualified">
  <xs:element name="Envelope">
    <xs:complexType><xs:sequence>
      <xs:element name="Header" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="Body"><xs:complexType><xs:sequence>
        <xs:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
""" % (ENV11, ENV11)

failures: list[str] = []


def fail(msg: str) -> None:
    failures.append(msg)
    print("  FAIL " + msg)


def ok(msg: str) -> None:
    print("  ok   " + msg)


def python() -> str:
    return sys.executable


def run_generator(wsdl: str) -> tuple[bytes, str, int]:
    p = subprocess.run([python(), GENERATOR, wsdl], cwd=REPO, capture_output=True)
    return p.stdout, p.stderr.decode(), p.returncode


def binding_operations(wsdl: str) -> list[str]:
    defs = etree.parse(os.path.join(REPO, wsdl)).getroot()
    for b in defs.findall("{%s}binding" % WSDL):
        if b.find("{%s}binding" % SOAP11) is not None:
            return [o.get("name") for o in b.findall("{%s}operation" % WSDL)]
    return []


def envelope(headers: list[str], payload: str) -> str:
    head = "<soap:Header>%s</soap:Header>" % "".join(headers) if headers else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="%s">%s<soap:Body>%s</soap:Body>'
            "</soap:Envelope>\n" % (ENV11, head, payload))


# -- lxml schema assembly ----------------------------------------------------------------------------------------


def lxml_schema(wsdl: str, workdir: str) -> etree.XMLSchema:
    defs = etree.parse(os.path.join(REPO, wsdl)).getroot()
    types = defs.find("{%s}types" % WSDL)
    files: dict[str, str] = {}
    schemas = list(types.iter("{%s}schema" % XS))
    for i, s in enumerate(schemas):
        files[s.get("targetNamespace", "")] = os.path.join(workdir, "schema%d.xsd" % i)
    for i, s in enumerate(schemas):
        # Serializing a subelement keeps the namespace declarations it inherits from wsdl:definitions.
        doc = etree.fromstring(etree.tostring(s))
        for imp in doc.findall("{%s}import" % XS):
            if not imp.get("schemaLocation") and imp.get("namespace") in files:
                imp.set("schemaLocation", os.path.basename(files[imp.get("namespace")]))
        with open(files[s.get("targetNamespace", "")], "wb") as f:
            f.write(etree.tostring(doc))
    env = os.path.join(workdir, "soap11-envelope.xsd")
    with open(env, "w") as f:
        f.write(ENVELOPE_XSD)
    main = os.path.join(workdir, "all.xsd")
    imports = "".join('<xs:import namespace="%s" schemaLocation="%s"/>' % (ns, os.path.basename(p))
                      for ns, p in files.items())
    with open(main, "w") as f:
        f.write('<xs:schema xmlns:xs="%s" targetNamespace="urn:soaptape:plan-check">%s'
                '<xs:import namespace="%s" schemaLocation="soap11-envelope.xsd"/></xs:schema>'
                % (XS, imports, ENV11))
    return etree.XMLSchema(etree.parse(main))


# -- tree checks -------------------------------------------------------------------------------------------------


def leaves(node):
    if not node["children"]:
        yield node
    for c in node["children"]:
        yield from leaves(c)


def same_shape_all_changed(a, b, path, problems):
    for k in ("name", "ns", "type", "xsi_type", "nil"):
        if a[k] != b[k]:
            problems.append("%s: %s differs (%r vs %r)" % (path, k, a[k], b[k]))
            return
    if len(a["children"]) != len(b["children"]):
        problems.append("%s: child count differs" % path)
        return
    if not a["children"] and a["text"] is not None and a["text"] == b["text"]:
        problems.append("%s: leaf value unchanged (%r)" % (path, a["text"]))
    for i, (x, y) in enumerate(zip(a["children"], b["children"])):
        same_shape_all_changed(x, y, "%s/%s[%d]" % (path, x["name"], i), problems)


def xml_matches_node(el, node, path, problems):
    q = etree.QName(el)
    if q.localname != node["name"] or (q.namespace or "") != node["ns"]:
        problems.append("%s: element {%s}%s vs node {%s}%s" % (path, q.namespace, q.localname, node["ns"],
                                                              node["name"]))
        return
    nil = el.get("{%s}nil" % XSI) == "true"
    if nil != node["nil"]:
        problems.append("%s: xsi:nil mismatch" % path)
    xt = el.get("{%s}type" % XSI)
    if xt is not None:
        prefix, _, local = xt.rpartition(":")
        xt_q = {"ns": el.nsmap.get(prefix or None), "name": local}
    else:
        xt_q = None
    if xt_q != node["xsi_type"]:
        problems.append("%s: xsi:type %r vs %r" % (path, xt_q, node["xsi_type"]))
    kids = [c for c in el if isinstance(c.tag, str)]
    if len(kids) != len(node["children"]):
        problems.append("%s: %d child elements vs %d children" % (path, len(kids), len(node["children"])))
        return
    if not kids:
        text = el.text or ""
        if text != (node["text"] or ""):
            problems.append("%s: text %r vs %r" % (path, text, node["text"]))
    for i, (c, n) in enumerate(zip(kids, node["children"])):
        xml_matches_node(c, n, "%s/%s[%d]" % (path, n["name"], i), problems)


def find_nodes(node, name, ancestors=()):
    if node["name"] == name:
        yield node, ancestors
    for c in node["children"]:
        yield from find_nodes(c, name, ancestors + (node,))


def all_trees(op):
    yield "request", op["request"]
    for i, h in enumerate(op["headers"]):
        yield "headers[%d]" % i, h
    for k in ("normal", "changed", "dropped"):
        yield "response." + k, op["response"][k]
    for i, h in enumerate(op["response_headers"]):
        yield "response_headers[%d]" % i, h


def check_arrays(op, problems):
    def walk(node, ancestors):
        t = node["type"]
        if t and t["name"].startswith("ArrayOf") and node["children"]:
            items = node["children"]
            item_types = {json.dumps(c["type"], sort_keys=True) for c in items}
            nested = any(json.dumps(a["type"], sort_keys=True) in item_types for a in ancestors + (node,)
                         if a["type"]) or any(a["type"] == t for a in ancestors)
            want = 1 if nested else 2
            if len(items) != want:
                problems.append("%s: %s holds %d items, expected %d" % (op["name"], node["name"], len(items), want))
        for c in node["children"]:
            walk(c, ancestors + (node,))
    for label, tree in all_trees(op):
        if label != "response.dropped":
            walk(tree, ())


# -- main --------------------------------------------------------------------------------------------------------


def check_wsdl(wsdl: str, soaptape: str | None, tmp: str) -> None:
    print("== %s" % wsdl)
    out1, err1, rc1 = run_generator(wsdl)
    out2, err2, rc2 = run_generator(wsdl)
    if rc1 != 0:
        fail("generator exited %d: %s" % (rc1, err1.strip()))
        return
    print("  summary: " + err1.strip())
    if out1 == out2 and err1 == err2:
        ok("deterministic: two runs byte-identical (%d bytes)" % len(out1))
    else:
        fail("two runs differ")
    plan = json.loads(out1)

    # 1. binding order
    expected = binding_operations(wsdl)
    got = [o["name"] for o in plan["operations"]]
    if got == expected:
        ok("all %d binding operations, in binding order" % len(got))
    else:
        fail("operations %r, binding has %r" % (got, expected))

    # 3. changed/dropped/xml consistency
    problems: list[str] = []
    n_leaves = 0
    for op in plan["operations"]:
        normal, changed, dropped = (op["response"][k] for k in ("normal", "changed", "dropped"))
        same_shape_all_changed(normal, changed, op["name"] + ":" + normal["name"], problems)
        n_leaves += sum(1 for l in leaves(normal) if l["text"] is not None)
        if dropped["children"] or dropped["name"] != normal["name"] or dropped["ns"] != normal["ns"]:
            problems.append("%s: dropped is not the bare response element" % op["name"])
        pairs = [(op["request_xml"], op["request"])]
        pairs += list(zip(op["headers_xml"], op["headers"]))
        pairs += [(op["response_xml"][k], op["response"][k]) for k in ("normal", "changed", "dropped")]
        pairs += list(zip(op["response_headers_xml"], op["response_headers"]))
        for x, n in pairs:
            xml_matches_node(etree.fromstring(x), n, op["name"] + ":" + n["name"], problems)
        check_arrays(op, problems)
    if problems:
        for p in problems[:20]:
            fail(p)
        if len(problems) > 20:
            fail("... %d more" % (len(problems) - 20))
    else:
        ok("changed differs from normal in all %d response leaves, same shape; dropped bare; "
           "*_xml match their NODEs; arrays hold 2 items (1 when nested in a recursion)" % n_leaves)

    # 2. validity
    d = os.path.join(tmp, os.path.basename(os.path.dirname(wsdl)) + "-" + plan["service"]
                     + "-" + wsdl.split("/")[1])
    main_dir, dropped_dir, xsd_dir = (os.path.join(d, x) for x in ("envelopes", "dropped", "xsd"))
    for x in (main_dir, dropped_dir, xsd_dir):
        os.makedirs(x, exist_ok=True)
    written: list[str] = []
    dropped_files: list[str] = []
    for op in plan["operations"]:
        items = [("request", op["headers_xml"], op["request_xml"], main_dir)]
        for k in ("normal", "changed", "dropped"):
            items.append(("response-" + k, op["response_headers_xml"], op["response_xml"][k],
                          dropped_dir if k == "dropped" else main_dir))
        for label, hdrs, body, where in items:
            p = os.path.join(where, "%s.%s.xml" % (op["name"], label))
            with open(p, "w", encoding="utf-8") as f:
                f.write(envelope(hdrs, body))
            (dropped_files if where == dropped_dir else written).append(p)

    schema = lxml_schema(wsdl, xsd_dir)
    bad = []
    for p in written:
        if not schema.validate(etree.parse(p)):
            bad.append("%s: %s" % (os.path.basename(p), schema.error_log.last_error))
    if bad:
        for b in bad[:20]:
            fail("lxml XMLSchema: " + b)
    else:
        ok("lxml XMLSchema: %d envelopes valid (requests, normal and changed responses, all header blocks)"
           % len(written))
    lxml_dropped_bad = sorted(os.path.basename(p) for p in dropped_files if not schema.validate(etree.parse(p)))

    if soaptape:
        p = subprocess.run([soaptape, "validate", main_dir, "--schema", os.path.join(REPO, wsdl)],
                           capture_output=True, text=True)
        if p.returncode == 0 and ("valid: %d envelopes" % len(written)) in p.stdout:
            ok("soaptape validate: %d envelopes valid (exit 0)" % len(written))
        else:
            fail("soaptape validate exit %d:\n%s%s" % (p.returncode, p.stdout[-3000:], p.stderr[-2000:]))
        p = subprocess.run([soaptape, "validate", dropped_dir, "--schema", os.path.join(REPO, wsdl)],
                           capture_output=True, text=True)
        st_dropped_bad = sorted({os.path.basename(line.split(":", 1)[0]) for line in p.stdout.splitlines()
                                 if line.startswith(dropped_dir)})
        if p.returncode not in (0, 1):
            fail("soaptape validate (dropped) exit %d: %s" % (p.returncode, p.stderr.strip()[-2000:]))
    else:
        st_dropped_bad = None
    n = len(dropped_files)
    if not lxml_dropped_bad and not st_dropped_bad:
        ok("dropped: all %d envelopes valid%s" % (n, "" if soaptape else " (lxml only)"))
    else:
        print("  note dropped envelopes the schema rejects (lxml): %s" % (lxml_dropped_bad or "none"))
        if st_dropped_bad is not None:
            print("  note dropped envelopes the schema rejects (soaptape): %s" % (st_dropped_bad or "none"))

    # 4. spot checks
    if wsdl.endswith("Services88/Favourite/Favourite.wsdl"):
        op = next(o for o in plan["operations"] if o["name"] == "AddTicketsToFavouritesByProvider")
        probs = []
        restrictions = [c for c in op["request"]["children"] if c["name"] == "Restrictions"]
        tops = restrictions[0]["children"] if restrictions else []
        if len(tops) != 2:
            probs.append("Restrictions holds %d items" % len(tops))
        for top in tops:
            subs = [c for c in top["children"] if c["name"] == "SubRestrictions"]
            inner = subs[0]["children"] if subs else []
            if len(subs) != 1 or len(inner) != 1 or inner[0]["name"] != "ArchiveRestrictionInfo":
                probs.append("SubRestrictions does not hold exactly one ArchiveRestrictionInfo")
                continue
            deeper = [c for c in inner[0]["children"] if c["name"] == "SubRestrictions"]
            if deeper and deeper[0]["children"]:
                probs.append("the nested ArchiveRestrictionInfo's SubRestrictions is not cut")
        if probs:
            for p in probs:
                fail("recursion: " + p)
        else:
            ok("recursion: each Restrictions/ArchiveRestrictionInfo holds one SubRestrictions/"
               "ArchiveRestrictionInfo whose own SubRestrictions is left out")
    if wsdl.endswith("Services86/CustomerService/CustomerService.wsdl"):
        found = 0
        probs = []
        for op in plan["operations"]:
            for label, tree in all_trees(op):
                for node, _ in find_nodes(tree, "CsFeatureToggle"):
                    found += 1
                    names = [c["name"] for c in node["children"]]
                    if names != ["TableRight", "FieldProperties", "Name", "State"]:
                        probs.append("%s %s: CsFeatureToggle children %r" % (op["name"], label, names))
        if found == 0:
            fail("inheritance: no CsFeatureToggle item in the plan")
        elif probs:
            for p in probs:
                fail("inheritance: " + p)
        else:
            ok("inheritance: all %d CsFeatureToggle items are TableRight, FieldProperties, Name, State" % found)


SYNTHETIC_WSDL = """<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions targetNamespace="urn:t" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:t" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <wsdl:types>
    <xs:schema elementFormDefault="qualified" targetNamespace="urn:t">
      <xs:complexType name="Shape"><xs:sequence>
        <xs:element minOccurs="0" name="Id" type="xs:int"/></xs:sequence></xs:complexType>
      <xs:complexType name="Circle"><xs:complexContent mixed="false"><xs:extension base="tns:Shape"><xs:sequence>
        <xs:element minOccurs="0" name="Radius" type="xs:double"/></xs:sequence></xs:extension></xs:complexContent>
      </xs:complexType>
      <xs:complexType name="ArrayOfShape"><xs:sequence>
        <xs:element minOccurs="0" maxOccurs="unbounded" name="Shape" nillable="true" type="tns:Shape"/>
      </xs:sequence></xs:complexType>
      <xs:element name="Draw"><xs:complexType><xs:sequence>
        <xs:element minOccurs="0" name="Shapes" nillable="true" type="tns:ArrayOfShape"/>
        <xs:element minOccurs="0" name="Main" nillable="true" type="tns:Shape"/>
        <xs:element minOccurs="0" name="Small" type="tns:Small"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:simpleType name="Small"><xs:restriction base="xs:byte"><xs:maxInclusive value="9"/><xs:minInclusive value="1"/></xs:restriction></xs:simpleType>
      <xs:element name="DrawResponse"><xs:complexType><xs:sequence>
        <xs:element name="Response" type="xs:boolean"/></xs:sequence></xs:complexType></xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="DrawIn"><wsdl:part name="parameters" element="tns:Draw"/></wsdl:message>
  <wsdl:message name="DrawOut"><wsdl:part name="parameters" element="tns:DrawResponse"/></wsdl:message>
  <wsdl:portType name="Painter"><wsdl:operation name="Draw"><wsdl:input message="tns:DrawIn"/>
    <wsdl:output message="tns:DrawOut"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="B" type="tns:Painter"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Draw"><soap:operation soapAction="urn:t/Draw" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation></wsdl:binding>
  <wsdl:service name="S"><wsdl:port name="P" binding="tns:B"><soap:address location="http://h/Remote/T/Painter.svc"/>
  </wsdl:port></wsdl:service>
</wsdl:definitions>
"""


def check_synthetic(soaptape: str | None, tmp: str) -> None:
    print("== synthetic WSDL (derived types, facets, a required response member)")
    path = os.path.join(tmp, "synthetic.wsdl")
    with open(path, "w") as f:
        f.write(SYNTHETIC_WSDL)
    out, err, rc = run_generator(path)
    if rc != 0:
        fail("generator exited %d: %s" % (rc, err.strip()))
        return
    op = json.loads(out)["operations"][0]
    req = op["request"]
    shapes = req["children"][0]["children"]
    main = req["children"][1]
    small = req["children"][2]
    probs = []
    if [s["xsi_type"] for s in shapes] != [None, {"ns": "urn:t", "name": "Circle"}]:
        probs.append("array items' xsi_type %r" % [s["xsi_type"] for s in shapes])
    if [c["name"] for c in shapes[1]["children"]] != ["Id", "Radius"]:
        probs.append("derived item members %r" % [c["name"] for c in shapes[1]["children"]])
    if main["xsi_type"] != {"ns": "urn:t", "name": "Circle"}:
        probs.append("single Shape has no derived xsi_type")
    if not 1 <= int(small["text"]) <= 9:
        probs.append("facet-restricted byte %r out of range" % small["text"])
    if "xsi:type=\"tns:Circle\"" not in op["request_xml"] or 'xmlns:tns="urn:t"' not in op["request_xml"]:
        probs.append("request_xml lacks a resolvable xsi:type: %s" % op["request_xml"])
    schema = lxml_schema_from(path, tmp)
    for name, x in (("request", op["request_xml"]), ("normal", op["response_xml"]["normal"]),
                    ("changed", op["response_xml"]["changed"])):
        if not schema.validate(etree.fromstring(x)):
            probs.append("%s invalid (lxml): %s" % (name, schema.error_log.last_error))
    if schema.validate(etree.fromstring(op["response_xml"]["dropped"])):
        probs.append("dropped DrawResponse (required Response member) validates, expected not")
    if probs:
        for p in probs:
            fail("synthetic: " + p)
    else:
        ok("derived type used with xsi:type for the 2nd array item and the single occurrence; base members "
           "first; facets kept; valid (lxml); a dropped response with a required member is reported invalid")
    print("  summary: " + err.strip())


def lxml_schema_from(path: str, tmp: str) -> etree.XMLSchema:
    defs = etree.parse(path).getroot()
    s = defs.find("{%s}types/{%s}schema" % (WSDL, XS))
    return etree.XMLSchema(etree.fromstring(etree.tostring(s)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("wsdls", nargs="*", default=DEFAULT_WSDLS)
    ap.add_argument("--soaptape", default=os.path.join(REPO, ".build", "debug", "soaptape"))
    ap.add_argument("--skip-soaptape", action="store_true",
                    help="leave out the soaptape validate check (e.g. while the binary is being rebuilt)")
    args = ap.parse_args()
    soaptape = None if args.skip_soaptape else args.soaptape
    if soaptape and not os.access(soaptape, os.X_OK):
        print("check_plan: soaptape binary %s is missing (build it, or pass --skip-soaptape)" % soaptape,
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="plan-check-") as tmp:
        for w in args.wsdls:
            check_wsdl(os.path.relpath(os.path.abspath(w), REPO) if os.path.isabs(w) else w, soaptape, tmp)
        check_synthetic(soaptape, tmp)
    print()
    if failures:
        print("FAILED: %d problem(s)" % len(failures))
        return 1
    print("all checks passed" + (" (soaptape validate skipped)" if not soaptape else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
