#!/usr/bin/env python3
"""Call plan generator for soaptape's interop matrix.

README
======
Usage::

    .build/interop-venv/bin/python Tests/Interop/plan/wsdl_plan.py WSDL_PATH > plan.json

Writes to stdout one JSON document ("format": 1) describing every operation of the WSDL's SOAP 1.1 binding, in
binding order, with deterministic arguments built from the WSDL's own XML Schema (parsed here with lxml, no
network, no zeep):

* ``request`` / ``request_xml`` — the input (wrapper) element, every member filled;
* ``headers`` / ``headers_xml`` — the binding's input ``soap:header`` blocks (ApplicationToken, Credentials, …);
* ``response`` / ``response_xml`` — ``normal``, ``changed`` (same shape, every leaf value different) and
  ``dropped`` (the response element with its children removed, ``<XResponse/>``);
* ``response_headers`` / ``response_headers_xml`` — the binding's output ``soap:header`` blocks.

A NODE is ``{"name", "ns", "type", "xsi_type", "nil", "text", "children"}``; the ``*_xml`` strings are the same
trees as standalone elements (the element's namespace as default namespace; other namespaces and xsi declared on
the root element with fixed prefixes ``tns`` (root namespace, only when an xsi:type names it), ``ser``
(Serialization), ``arr`` (Serialization/Arrays), ``xsi``, ``ns1``… for anything else).

Rules for values (all deterministic; a counter restarts at 1 for each operation and runs through request,
headers, response and response headers):

* strings ``<ElementName>-<n>`` (changed: ``Changed-<ElementName>-<n>``); ints/longs/shorts ``1000+n`` (folded
  into the type's range for bytes; changed: +1 or -1 within range); booleans ``true`` (changed ``false``);
  dateTime ``2026-01-02T03:04:05`` (changed ``2027-02-03T04:05:06``); decimal/double/float ``12.5`` (changed
  ``13.5``); guid ``00000000-0000-4000-8000-<n as 12 hex digits>`` (changed: ``ffffffff-…``); duration
  ``PT1H`` (changed ``PT2H``); base64 ``c29hcHRhcGU=`` (changed ``Y2hhbmdlZA==``); enumerations the first value
  (changed: the next one); ``xs:list`` of an enumeration (WCF flags) the first value (changed: the next).
  Every leaf is checked against its type's pattern/length/range facets while generating.
* ``maxOccurs > 1``: 2 items. Optional elements (minOccurs=0) are present; nillable ones are not nil.
* ``complexContent/extension``: base members first, recursively.
* Derived types: for a declared complex type that other types in the schema extend, one instance (the second
  item of an array, or the single occurrence) uses the first such type in document order, with ``xsi_type``
  set (all instances when the declared type is abstract).
* Recursion: a type met again inside itself is filled one level deep — the nested occurrence (1 item when it is
  an array item) is filled, and inside it every member that would start the cycle again is cut (left out when
  minOccurs=0, else nil when nillable, else an empty element). Each cut is counted.

What the four WSDLs give (summary lines, stderr)::

    specs/Services84/Favourite/Favourite.wsdl: Favourite, 8 operations, 0 derived xsi_type instances, 8 recursive cuts
    specs/Services88/Favourite/Favourite.wsdl: Favourite, 11 operations, 0 derived xsi_type instances, 15 recursive cuts
    specs/Services86/CustomerService/CustomerService.wsdl: CustomerService, 18 operations, 0 derived xsi_type instances, 18 recursive cuts
    specs/Services86/ErpSync/ErpSync.wsdl: ErpSync, 44 operations, 0 derived xsi_type instances, 62 recursive cuts

None of them uses a base type as a declared element type (``Carrier`` is the only extended type, and only its
derived types are ever declared), so xsi_type stays null in their plans; check_plan.py exercises the rule on a
synthetic WSDL. Every operation cuts at least once: its ExceptionInfo response header is a ``SoExceptionInfo``
whose ``InnerException`` is again a ``SoExceptionInfo``. Every ``dropped`` envelope of the four is valid (WCF's
Response members are minOccurs=0).

A summary line per WSDL (operations, derived xsi_type instances, recursive cuts) goes to stderr.
``Tests/Interop/plan/check_plan.py`` checks the plans (binding order, schema validity with soaptape and lxml,
determinism, changed-vs-normal, recursion/inheritance/arrays spot checks).
"""
from __future__ import annotations

import copy
import json
import os
import re
import sys
from typing import Any

try:
    from lxml import etree
except ImportError:  # pragma: no cover
    sys.exit("%s: the Python package 'lxml' is missing; run it with .build/interop-venv/bin/python "
             "(python3 -m venv .build/interop-venv && .build/interop-venv/bin/pip install lxml)" % __file__)

XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
SER = "http://schemas.microsoft.com/2003/10/Serialization/"
ARR = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

INT_RANGES = {
    "byte": (-128, 127), "short": (-32768, 32767), "int": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1),
    "unsignedByte": (0, 255), "unsignedShort": (0, 65535), "unsignedInt": (0, 2**32 - 1),
    "unsignedLong": (0, 2**64 - 1), "integer": (None, None), "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None), "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
}
STRINGISH = {"string", "normalizedString", "token", "Name", "NCName", "ID", "IDREF", "NMTOKEN", "language",
             "anyURI", "QName", "anyType", "anySimpleType", "ENTITY", "IDREFS", "NMTOKENS"}


class PlanError(Exception):
    pass


def qn(ns: str, name: str) -> str:
    return "{%s}%s" % (ns, name)


def resolve_qname(node: etree._Element, value: str) -> tuple[str, str]:
    if ":" in value:
        prefix, local = value.split(":", 1)
    else:
        prefix, local = None, value
    ns = node.nsmap.get(prefix)
    if ns is None:
        if prefix is None:
            return ("", local)
        raise PlanError("unresolved prefix %r in %r (line %s)" % (prefix, value, node.sourceline))
    return (ns, local)


def occurs(node: etree._Element) -> tuple[int, int | None]:
    lo = int(node.get("minOccurs", "1"))
    hi_s = node.get("maxOccurs", "1")
    hi = None if hi_s == "unbounded" else int(hi_s)
    return lo, hi


# --------------------------------------------------------------------------------------------------------------
# Schema model


class Schema:
    def __init__(self, types_el: etree._Element):
        self.elements: dict[tuple[str, str], tuple[etree._Element, str]] = {}
        self.complex: dict[tuple[str, str], tuple[etree._Element, str]] = {}
        self.simple: dict[tuple[str, str], tuple[etree._Element, str]] = {}
        self.form: dict[str, bool] = {}  # schema tns -> elementFormDefault qualified
        self.derived: dict[tuple[str, str], list[tuple[str, str]]] = {}
        order: list[tuple[str, str]] = []
        for schema in types_el.iter(qn(XS, "schema")):
            tns = schema.get("targetNamespace", "")
            self.form[tns] = schema.get("elementFormDefault", "unqualified") == "qualified"
            for child in schema:
                if not isinstance(child.tag, str):
                    continue
                name = child.get("name")
                if child.tag == qn(XS, "element"):
                    self.elements[(tns, name)] = (child, tns)
                elif child.tag == qn(XS, "complexType"):
                    self.complex[(tns, name)] = (child, tns)
                    order.append((tns, name))
                elif child.tag == qn(XS, "simpleType"):
                    self.simple[(tns, name)] = (child, tns)
        for key in order:
            base = self.extension_base(self.complex[key][0])
            if base is not None:
                self.derived.setdefault(base, []).append(key)

    @staticmethod
    def extension_base(ct: etree._Element) -> tuple[str, str] | None:
        cc = ct.find(qn(XS, "complexContent"))
        if cc is None:
            return None
        ext = cc.find(qn(XS, "extension"))
        if ext is None:
            return None
        return resolve_qname(ext, ext.get("base"))

    def is_abstract(self, key: tuple[str, str]) -> bool:
        entry = self.complex.get(key)
        return entry is not None and entry[0].get("abstract") in ("true", "1")


# --------------------------------------------------------------------------------------------------------------
# Simple types: a descriptor {"base": builtin local name, "special": ..., facets...}


def simple_descriptor(schema: Schema, st: etree._Element | None, key: tuple[str, str] | None) -> dict:
    """Descriptor of a simple type given by key (ns, name) or an anonymous xs:simpleType node."""
    if key is not None:
        ns, name = key
        if ns == XS:
            return {"base": name, "enums": [], "patterns": [], "facets": {}, "list": None, "special": None}
        if ns == SER and name in ("guid", "duration", "char"):
            d = simple_descriptor(schema, schema.simple[key][0], None)
            d["special"] = name
            return d
        if key not in schema.simple:
            raise PlanError("unknown simple type %s" % (key,))
        st = schema.simple[key][0]
    assert st is not None
    restriction = st.find(qn(XS, "restriction"))
    lst = st.find(qn(XS, "list"))
    if lst is not None:
        if lst.get("itemType"):
            item = simple_descriptor(schema, None, resolve_qname(lst, lst.get("itemType")))
        else:
            item = simple_descriptor(schema, lst.find(qn(XS, "simpleType")), None)
        return {"base": "list", "enums": [], "patterns": [], "facets": {}, "list": item, "special": None}
    if restriction is None:
        union = st.find(qn(XS, "union"))
        if union is not None and union.get("memberTypes"):
            first = union.get("memberTypes").split()[0]
            return simple_descriptor(schema, None, resolve_qname(union, first))
        raise PlanError("unsupported simpleType at line %s" % st.sourceline)
    if restriction.get("base"):
        d = copy.deepcopy(simple_descriptor(schema, None, resolve_qname(restriction, restriction.get("base"))))
    else:
        d = copy.deepcopy(simple_descriptor(schema, restriction.find(qn(XS, "simpleType")), None))
    enums = [e.get("value") for e in restriction.findall(qn(XS, "enumeration"))]
    if enums:
        d["enums"] = enums
    pats = [p.get("value") for p in restriction.findall(qn(XS, "pattern"))]
    if pats:
        d["patterns"] = d["patterns"] + [pats]
    for facet in ("length", "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive",
                  "maxExclusive", "totalDigits", "fractionDigits"):
        f = restriction.find(qn(XS, facet))
        if f is not None:
            d["facets"][facet] = f.get("value")
    return d


def xsd_regex_to_python(p: str) -> str:
    # Good enough for the patterns WCF writes (guid, duration): XSD regexes are implicitly anchored.
    return "^(?:" + p + ")$"


def check_lexical(d: dict, value: str, where: str) -> None:
    for group in d["patterns"]:
        if not any(re.match(xsd_regex_to_python(p), value) for p in group):
            raise PlanError("%s: value %r does not match pattern(s) %r" % (where, value, group))
    f = d["facets"]
    if "length" in f and len(value) != int(f["length"]):
        raise PlanError("%s: %r breaks length %s" % (where, value, f["length"]))
    if "minLength" in f and len(value) < int(f["minLength"]):
        raise PlanError("%s: %r breaks minLength %s" % (where, value, f["minLength"]))
    if "maxLength" in f and len(value) > int(f["maxLength"]):
        raise PlanError("%s: %r breaks maxLength %s" % (where, value, f["maxLength"]))
    if d["enums"] and value not in d["enums"] and d["base"] != "list":
        raise PlanError("%s: %r not among enumerations" % (where, value))


def int_range(d: dict) -> tuple[int | None, int | None]:
    lo, hi = INT_RANGES.get(d["base"], (None, None))
    f = d["facets"]
    if "minInclusive" in f:
        lo = int(f["minInclusive"]) if lo is None else max(lo, int(f["minInclusive"]))
    if "maxInclusive" in f:
        hi = int(f["maxInclusive"]) if hi is None else min(hi, int(f["maxInclusive"]))
    if "minExclusive" in f:
        v = int(f["minExclusive"]) + 1
        lo = v if lo is None else max(lo, v)
    if "maxExclusive" in f:
        v = int(f["maxExclusive"]) - 1
        hi = v if hi is None else min(hi, v)
    return lo, hi


def fit_string(d: dict, value: str) -> str:
    f = d["facets"]
    if "length" in f:
        n = int(f["length"])
        return (value * (n // max(len(value), 1) + 1))[:n]
    if "maxLength" in f and len(value) > int(f["maxLength"]):
        value = value[-int(f["maxLength"]):]
    if "minLength" in f and len(value) < int(f["minLength"]):
        value = value + "x" * (int(f["minLength"]) - len(value))
    return value


def leaf_values(d: dict, elem_name: str, n: int) -> tuple[str, str]:
    """(normal, changed) lexical values for a simple type descriptor."""
    if d["base"] == "list":
        item = d["list"]
        if item["enums"]:
            enums = item["enums"]
            return enums[0], enums[1 % len(enums)]
        a, b = leaf_values(item, elem_name, n)
        return a, b
    if d["enums"]:
        enums = d["enums"]
        return enums[0], enums[1 % len(enums)]
    special = d.get("special")
    base = d["base"]
    if special == "guid":
        return ("00000000-0000-4000-8000-%012x" % n, "ffffffff-0000-4000-8000-%012x" % n)
    if special == "duration" or base == "duration":
        return ("PT1H", "PT2H")
    if base in INT_RANGES or special == "char":
        lo, hi = int_range(d)
        v = 1000 + n
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            lo2 = lo if lo is not None else (hi - 10_000)
            hi2 = hi if hi is not None else (lo + 10_000)
            v = lo2 + (v % (hi2 - lo2 + 1))
        w = v + 1 if hi is None or v + 1 <= hi else v - 1
        return (str(v), str(w))
    if base == "boolean":
        return ("true", "false")
    if base == "dateTime":
        return ("2026-01-02T03:04:05", "2027-02-03T04:05:06")
    if base == "date":
        return ("2026-01-02", "2027-02-03")
    if base == "time":
        return ("03:04:05", "04:05:06")
    if base in ("decimal", "double", "float"):
        return ("12.5", "13.5")
    if base == "base64Binary":
        return ("c29hcHRhcGU=", "Y2hhbmdlZA==")
    if base == "hexBinary":
        return ("736F6170", "6368616E")
    if base == "anyURI":
        return ("http://example.com/%s-%d" % (elem_name, n), "http://example.com/Changed-%s-%d" % (elem_name, n))
    if base in ("QName", "NCName", "Name", "ID", "IDREF", "NMTOKEN", "ENTITY"):
        return ("%s-%d" % (elem_name, n), "Changed-%s-%d" % (elem_name, n))
    if base in ("language",):
        return ("en", "nb")
    if base in STRINGISH:
        return (fit_string(d, "%s-%d" % (elem_name, n)), fit_string(d, "Changed-%s-%d" % (elem_name, n)))
    raise PlanError("no value rule for simple type base %r" % base)


# --------------------------------------------------------------------------------------------------------------
# Instance generation


class Generator:
    def __init__(self, schema: Schema):
        self.schema = schema
        self.counter = 0
        self.derived_used = 0
        self.recursive_cuts = 0

    def next(self) -> int:
        self.counter += 1
        return self.counter

    # -- elements ---------------------------------------------------------------------------------------------

    def global_element(self, key: tuple[str, str]) -> dict:
        if key not in self.schema.elements:
            raise PlanError("no global element %s" % (key,))
        decl, tns = self.schema.elements[key]
        nodes = self.element(decl, tns, is_global=True, stack=[], count=1)
        return nodes[0]

    def element(self, decl: etree._Element, tns: str, is_global: bool, stack: list, count: int | None = None,
                in_cycle: bool = False) -> list[dict]:
        """Nodes for one element particle (several when maxOccurs > 1)."""
        lo, hi = occurs(decl) if not is_global else (1, 1)
        if decl.get("ref"):
            ref_key = resolve_qname(decl, decl.get("ref"))
            gdecl, gtns = self.schema.elements[ref_key]
            return self._element_nodes(gdecl, gtns, ref_key[0], lo, hi, stack, count)
        if is_global:
            ns = tns
        else:
            form = decl.get("form")
            qualified = (form == "qualified") if form else self.schema.form.get(tns, False)
            ns = tns if qualified else ""
        return self._element_nodes(decl, tns, ns, lo, hi, stack, count)

    def _element_nodes(self, decl, tns, ns, lo, hi, stack, count) -> list[dict]:
        name = decl.get("name")
        nillable = decl.get("nillable") in ("true", "1")
        # Declared type
        if decl.get("type"):
            tkey = resolve_qname(decl, decl.get("type"))
            anon = None
        else:
            tkey = None
            anon = decl.find(qn(XS, "complexType"))
            if anon is None:
                anon = decl.find(qn(XS, "simpleType"))
            if anon is None:
                tkey = (XS, "anyType")
        is_complex = (tkey in self.schema.complex) if tkey else (anon is not None and anon.tag == qn(XS, "complexType"))
        many = hi is None or hi > 1
        n_items = count if count is not None else (2 if many else 1)

        if is_complex:
            ckey = tkey
            # Recursion: the declared type (or anonymous node) already being filled?
            ident = tkey if tkey else id(anon)
            seen = stack.count(ident)
            if seen >= 2:
                # A third occurrence: the nested occurrence is already being filled, cut here.
                self.recursive_cuts += 1
                if lo == 0:
                    return []
                if nillable:
                    return [self._node(name, ns, tkey, None, True, None, [])]
                return [self._node(name, ns, tkey, None, False, None, [])]
            nested = seen == 1
            if nested:
                n_items = 1  # the nested occurrence: one item
            if hi is not None:
                n_items = min(n_items, hi)
            n_items = max(n_items, min(lo, 2)) if lo else n_items
            derived = self.schema.derived.get(tkey) if tkey else None
            abstract = tkey is not None and self.schema.is_abstract(tkey)
            out = []
            for i in range(n_items):
                actual = tkey
                xsi_type = None
                use_derived = derived and (abstract or i == n_items - 1)
                if use_derived:
                    actual = derived[0]
                    xsi_type = {"ns": actual[0], "name": actual[1]}
                    self.derived_used += 1
                if actual is not None:
                    ct, ctns = self.schema.complex[actual]
                    push = [ident] if actual == tkey else [ident, actual]
                else:
                    ct, ctns = anon, tns
                    push = [ident]
                cuts_before = self.recursive_cuts
                children = self.complex_content(ct, ctns, stack + push)
                if nested and not children and lo == 0 and self.recursive_cuts > cuts_before:
                    # The nested occurrence holds nothing but the cut recursion: leave it out altogether.
                    return []
                out.append(self._node(name, ns, tkey, xsi_type, False, None, children))
            return out

        # Simple content
        if tkey is not None:
            if tkey == (XS, "anyType"):
                d = {"base": "string", "enums": [], "patterns": [], "facets": {}, "list": None, "special": None}
            else:
                d = simple_descriptor(self.schema, None, tkey)
        else:
            d = simple_descriptor(self.schema, anon, None)
        if hi is not None:
            n_items = min(n_items, hi)
        out = []
        for _ in range(n_items):
            k = self.next()
            a, b = leaf_values(d, name, k)
            check_lexical(d, a, name)
            check_lexical(d, b, name)
            node = self._node(name, ns, tkey, None, False, a, [])
            node["_changed"] = b
            out.append(node)
        return out

    @staticmethod
    def _node(name, ns, tkey, xsi_type, nil, text, children) -> dict:
        return {
            "name": name,
            "ns": ns,
            "type": {"ns": tkey[0], "name": tkey[1]} if tkey else None,
            "xsi_type": xsi_type,
            "nil": nil,
            "text": text,
            "children": children,
        }

    # -- complex types ----------------------------------------------------------------------------------------

    def complex_content(self, ct: etree._Element, tns: str, stack: list) -> list[dict]:
        children: list[dict] = []
        cc = ct.find(qn(XS, "complexContent"))
        sc = ct.find(qn(XS, "simpleContent"))
        if cc is not None:
            ext = cc.find(qn(XS, "extension"))
            res = cc.find(qn(XS, "restriction"))
            if ext is not None:
                base = resolve_qname(ext, ext.get("base"))
                if base in self.schema.complex:
                    bct, btns = self.schema.complex[base]
                    children += self.complex_content(bct, btns, stack)
                children += self.particles(ext, tns, stack)
            elif res is not None:
                children += self.particles(res, tns, stack)
            return children
        if sc is not None:
            raise PlanError("simpleContent is not supported (line %s)" % sc.sourceline)
        return self.particles(ct, tns, stack)

    def particles(self, parent: etree._Element, tns: str, stack: list) -> list[dict]:
        out: list[dict] = []
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if etree.QName(child).namespace != XS:
                continue
            if tag == "element":
                out += self.element(child, tns, False, stack)
            elif tag in ("sequence", "all"):
                reps = 1
                out += self.particles(child, tns, stack) * reps
            elif tag == "choice":
                for option in child:
                    if isinstance(option.tag, str) and etree.QName(option).localname in ("element", "sequence"):
                        if etree.QName(option).localname == "element":
                            out += self.element(option, tns, False, stack)
                        else:
                            out += self.particles(option, tns, stack)
                        break
            elif tag == "group":
                raise PlanError("xs:group is not supported (line %s)" % child.sourceline)
            elif tag in ("any", "attribute", "attributeGroup", "anyAttribute", "annotation"):
                continue
        return out


def strip_internal(node: dict, changed: bool) -> dict:
    out = {k: v for k, v in node.items() if not k.startswith("_")}
    if changed and "_changed" in node:
        out["text"] = node["_changed"]
    out["children"] = [strip_internal(c, changed) for c in node["children"]]
    return out


# --------------------------------------------------------------------------------------------------------------
# XML serialization


def escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(s: str) -> str:
    return escape(s).replace('"', "&quot;")


KNOWN_PREFIXES = {SER: "ser", ARR: "arr", XSI: "xsi"}


def to_xml(root: dict) -> str:
    # Collect namespaces used by elements and xsi:types, in document order.
    elem_ns: list[str] = []
    type_ns: list[str] = []
    needs_xsi = False

    def walk(n):
        nonlocal needs_xsi
        if n["ns"] not in elem_ns:
            elem_ns.append(n["ns"])
        if n["xsi_type"]:
            needs_xsi = True
            if n["xsi_type"]["ns"] not in type_ns:
                type_ns.append(n["xsi_type"]["ns"])
        if n["nil"]:
            needs_xsi = True
        for c in n["children"]:
            walk(c)

    walk(root)
    root_ns = root["ns"]
    default_ok = root_ns != "" and "" not in elem_ns
    prefixes: dict[str, str | None] = {}
    decls: list[tuple[str, str]] = []
    counter = 0
    if default_ok:
        prefixes[root_ns] = None
        decls.append(("xmlns", root_ns))
    type_prefix: dict[str, str] = {}
    for ns in elem_ns + type_ns:
        if ns == "" or (ns in prefixes and ns not in type_ns) or ns in type_prefix:
            continue
        if ns in prefixes and prefixes[ns] is not None:
            type_prefix[ns] = prefixes[ns]
            continue
        if ns == root_ns:
            p = "tns"
        elif ns in KNOWN_PREFIXES:
            p = KNOWN_PREFIXES[ns]
        else:
            counter += 1
            p = "ns%d" % counter
        if ns not in prefixes:
            prefixes[ns] = p
        type_prefix[ns] = p
        decls.append(("xmlns:" + p, ns))
    if needs_xsi:
        decls.append(("xmlns:xsi", XSI))

    parts: list[str] = []

    def tagname(n):
        if n["ns"] == "":
            return n["name"]
        p = prefixes[n["ns"]]
        return n["name"] if p is None else "%s:%s" % (p, n["name"])

    def emit(n, top):
        t = tagname(n)
        attrs = ""
        if top:
            attrs += "".join(' %s="%s"' % (k, escape_attr(v)) for k, v in decls)
        if n["xsi_type"]:
            attrs += ' xsi:type="%s:%s"' % (type_prefix[n["xsi_type"]["ns"]], n["xsi_type"]["name"])
        if n["nil"]:
            attrs += ' xsi:nil="true"'
        if n["children"]:
            parts.append("<%s%s>" % (t, attrs))
            for c in n["children"]:
                emit(c, False)
            parts.append("</%s>" % t)
        elif n["text"] is not None and n["text"] != "":
            parts.append("<%s%s>%s</%s>" % (t, attrs, escape(n["text"]), t))
        else:
            parts.append("<%s%s/>" % (t, attrs))

    emit(root, True)
    return "".join(parts)


# --------------------------------------------------------------------------------------------------------------
# WSDL walking


def build_plan(wsdl_path: str) -> tuple[dict, str]:
    tree = etree.parse(wsdl_path)
    defs = tree.getroot()
    tns = defs.get("targetNamespace")
    types_el = defs.find(qn(WSDL, "types"))
    schema = Schema(types_el)

    messages = {(tns, m.get("name")): m for m in defs.findall(qn(WSDL, "message"))}
    port_types = {(tns, p.get("name")): p for p in defs.findall(qn(WSDL, "portType"))}
    bindings = {(tns, b.get("name")): b for b in defs.findall(qn(WSDL, "binding"))}

    # The SOAP 1.1 binding used by the (first) service port, else the first SOAP 1.1 binding.
    binding = None
    address = None
    for service in defs.findall(qn(WSDL, "service")):
        for port in service.findall(qn(WSDL, "port")):
            b = bindings.get(resolve_qname(port, port.get("binding")))
            if b is not None and b.find(qn(SOAP11, "binding")) is not None:
                binding = b
                addr = port.find(qn(SOAP11, "address"))
                address = addr.get("location") if addr is not None else None
                break
        if binding is not None:
            break
    if binding is None:
        for b in bindings.values():
            if b.find(qn(SOAP11, "binding")) is not None:
                binding = b
                break
    if binding is None:
        raise PlanError("no SOAP 1.1 binding in %s" % wsdl_path)
    port_type = port_types[resolve_qname(binding, binding.get("type"))]
    pt_ops = {o.get("name"): o for o in port_type.findall(qn(WSDL, "operation"))}

    endpoint_path = None
    if address:
        i = address.find("/Remote/")
        endpoint_path = address[i:] if i >= 0 else re.sub(r"^[a-z]+://[^/]+", "", address)

    def body_element(msg_qname_owner, msg_attr) -> tuple[str, str]:
        msg = messages[resolve_qname(msg_qname_owner, msg_attr)]
        parts = msg.findall(qn(WSDL, "part"))
        if len(parts) != 1 or not parts[0].get("element"):
            raise PlanError("message %s is not document/literal wrapped" % msg.get("name"))
        return resolve_qname(parts[0], parts[0].get("element"))

    def header_elements(bio: etree._Element) -> list[tuple[str, str]]:
        out = []
        for h in bio.findall(qn(SOAP11, "header")):
            msg = messages[resolve_qname(h, h.get("message"))]
            part = [p for p in msg.findall(qn(WSDL, "part")) if p.get("name") == h.get("part")]
            if not part:
                raise PlanError("header part %s missing in message %s" % (h.get("part"), msg.get("name")))
            out.append(resolve_qname(part[0], part[0].get("element")))
        return out

    gen = Generator(schema)
    operations = []
    for bop in binding.findall(qn(WSDL, "operation")):
        name = bop.get("name")
        pop = pt_ops[name]
        soap_op = bop.find(qn(SOAP11, "operation"))
        action = soap_op.get("soapAction") if soap_op is not None else None
        in_key = body_element(pop.find(qn(WSDL, "input")), pop.find(qn(WSDL, "input")).get("message"))
        out_key = body_element(pop.find(qn(WSDL, "output")), pop.find(qn(WSDL, "output")).get("message"))
        in_headers = header_elements(bop.find(qn(WSDL, "input")))
        out_headers = header_elements(bop.find(qn(WSDL, "output")))

        gen.counter = 0
        request = gen.global_element(in_key)
        headers = [gen.global_element(k) for k in in_headers]
        response = gen.global_element(out_key)
        response_headers = [gen.global_element(k) for k in out_headers]

        normal = strip_internal(response, False)
        changed = strip_internal(response, True)
        dropped = dict(normal, children=[], text=None)
        req = strip_internal(request, False)
        hdrs = [strip_internal(h, False) for h in headers]
        rhdrs = [strip_internal(h, False) for h in response_headers]
        operations.append({
            "name": name,
            "soap_action": action,
            "input_element": {"ns": in_key[0], "name": in_key[1]},
            "output_element": {"ns": out_key[0], "name": out_key[1]},
            "request": req,
            "request_xml": to_xml(req),
            "headers": hdrs,
            "headers_xml": [to_xml(h) for h in hdrs],
            "response": {"normal": normal, "changed": changed, "dropped": dropped},
            "response_xml": {"normal": to_xml(normal), "changed": to_xml(changed), "dropped": to_xml(dropped)},
            "response_headers": rhdrs,
            "response_headers_xml": [to_xml(h) for h in rhdrs],
        })

    abs_path = os.path.abspath(wsdl_path)
    rel = os.path.relpath(abs_path, REPO_ROOT)
    shown = rel if not rel.startswith("..") else wsdl_path
    plan = {
        "format": 1,
        "wsdl": shown,
        "target_namespace": tns,
        "service": port_type.get("name"),
        "endpoint_path": endpoint_path,
        "soap_version": "1.1",
        "operations": operations,
    }
    summary = "%s: %s, %d operations, %d derived xsi_type instances, %d recursive cuts" % (
        shown, port_type.get("name"), len(operations), gen.derived_used, gen.recursive_cuts)
    return plan, summary


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: wsdl_plan.py WSDL_PATH", file=sys.stderr)
        return 2
    try:
        plan, summary = build_plan(argv[1])
    except (PlanError, OSError, etree.XMLSyntaxError) as e:
        print("wsdl_plan: %s" % e, file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(plan, indent=1, ensure_ascii=False, sort_keys=False))
    sys.stdout.write("\n")
    print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
