"""soaptape's WSDL interop matrix: every operation of the committed WCF WSDLs, called by SOAP stacks generated from
those WSDLs (zeep, gSOAP, JAX-WS, SOAP::Lite), answered by servers built from them (PHP's SoapServer, gSOAP,
SOAP::Lite), through every step of soaptape.

A call plan (Tests/Interop/plan/wsdl_plan.py) fills every operation's request, header blocks and answers from the
WSDL's types. For each WSDL × server × client:

  record     the client calls every operation through `soaptape record`;
  verify     against specs imported from the WSDL (`soaptape import --wsdl`, `--require-spec`): every interaction
             passes; against the committed specs/ (imported from the reference pages): every interaction a
             committed spec identifies passes;
  serve      `soaptape serve --strict` answers the same client, which must print the same lines as live;
  replay     exact → a fresh same server (all pass); exact → a `changed` server (each interaction whose recorded
             answer holds a value fails); contract → changed (all pass); contract → a `dropped` server (each
             interaction whose recorded answer element had children fails);
  inject     one mutated copy of the cassette per interaction and kind, which verify must fail at the right
             path: (a) a required element dropped, (b) an element the schema does not allow added, (c) a value of
             the wrong type, (d) a value the spec pins changed, (e) a header block the spec requires missing.

Injected changes: each copy holds the cassette's header and one interaction, its request body changed with lxml and
written back as soaptape writes bodies (a literal block; CRLF ends in body_crlf). (a) drops the first element the
WSDL declares minOccurs >= 1 (most WCF members are minOccurs=0: an interaction without one is skipped and counted);
(b) adds an element in the payload's namespace at the payload's end; (c) puts `not-a-number` into the first leaf
declared int/long/short/byte/unsigned*/decimal/double/float/boolean/dateTime; (d) pins, in a copy of the
WSDL-imported spec, the first request leaf whose placeholder names its schema type (string, int, …) to the recorded
value, and changes the value in the copy (still valid for its type, so only the pin can catch it); (e) adds
`rules.required: [/Envelope/Header/Credentials]` to a copy of every spec and removes Credentials from the request.
A change is caught when verify fails the copy with a difference in the request at the changed element, below it, at
its parent (a schema validator's place for an unexpected or missing child) or at a sibling that names it (libxml2:
"This element is not expected. Expected is ( Key )"). For (d) and (e) the unchanged cassette, verified against the
changed specs beside the copies, must still pass. (a)-(c) run in the same verify as step 2.

A failure of correct traffic is a false verdict; an injected change that passes (or fails elsewhere than at the
changed path) is a missed catch. A client's call that does not come back `ok` is the stacks' failure and is listed,
not counted. OUT/wsdl-matrix.json holds every row (with its seconds), every false verdict's first difference, the
false verdicts grouped by message and the missed catches; OUT/wsdl-matrix.md the table; OUT/work/ the plans, specs,
cassettes, client outputs, mutated copies and every soaptape report, per combination. Each compiled stack's build
script runs once first (it caches under .build/interop; its log goes to OUT/build-STACK.log). Exit 0 clean; 1 on
any false verdict or missed catch, or when a stack asked for is missing or does not build (leave it out with
--clients/--servers/--stacks); 2 when the WSDLs cannot be prepared or the soaptape binary cannot run.

Usage: python wsdl_matrix.py SOAPTAPE OUT [--clients zeep,gsoap,jaxws,perl] [--servers php,gsoap,perl]
                             [--stacks NAMES] [--wsdls specs/A.wsdl,…] [--jobs N] [--require-shapes]
  e.g. .build/interop-venv/bin/python Tests/Interop/wsdl_matrix.py .build/debug/soaptape /tmp/wsdl-matrix
"""
import argparse
import atexit
import base64
import collections
import concurrent.futures
import copy
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import yaml
from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV_PYTHON = os.path.join(ROOT, ".build", "interop-venv", "bin", "python")
PYTHON = VENV_PYTHON if os.path.exists(VENV_PYTHON) else sys.executable
ADDRESS = re.compile(r"http://127\.0\.0\.1:\d+")
XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SOAP_ENVELOPES = ("http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

CLIENTS = {
    "zeep": [PYTHON, os.path.join(HERE, "plan_zeep_client.py")],
    "gsoap": [os.path.join(HERE, "gsoap", "client")],
    "jaxws": [os.path.join(HERE, "jaxws", "client")],
    "perl": [os.path.join(HERE, "perl", "client")],
}
SERVERS = {
    "php": ["php", "-S", "127.0.0.1:0", os.path.join(HERE, "php_plan_server.php")],
    "gsoap": [os.path.join(HERE, "gsoap", "server")],
    "perl": [os.path.join(HERE, "perl", "server")],
}
BUILDS = {"gsoap": os.path.join(HERE, "gsoap", "build"), "jaxws": os.path.join(HERE, "jaxws", "build"),
          "perl": os.path.join(HERE, "perl", "build")}

START_TIMEOUT = 60      # seconds for a server, proxy or mock to print its address
CLIENT_TIMEOUT = 600    # seconds for a client to call every operation of a plan
COMMAND_TIMEOUT = 600   # seconds for one soaptape command
BUILD_TIMEOUT = 3600    # seconds for a stack's build script (a cold javac or g++ run on 2 shared cores)

# ---------------------------------------------------------------------------------------------------------------
# Processes: every child is in a process group of its own, known here, and killed when this script ends.

LIVE = set()
LIVE_LOCK = threading.Lock()
STOPPING = threading.Event()  # set on SIGINT/SIGTERM: no new child is started


def _kill_group(process, first=signal.SIGINT, grace=10):
    """Stops PROCESS and everything it started (its process group): FIRST, then SIGKILL after GRACE seconds."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, first)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # what the leader left behind (a wrapper's child)
    except (ProcessLookupError, PermissionError):
        pass
    if process.poll() is None:
        process.wait()
    with LIVE_LOCK:
        LIVE.discard(process)
    return process.returncode


def _kill_all():
    with LIVE_LOCK:
        processes = list(LIVE)
    for process in processes:
        _kill_group(process, signal.SIGTERM, grace=3)


atexit.register(_kill_all)


def _on_signal(number, _frame):
    STOPPING.set()
    _kill_all()
    print(f"wsdl_matrix: stopped by signal {number}", file=sys.stderr, flush=True)
    os._exit(128 + number)  # the worker threads' children are gone; nothing of theirs is worth waiting for


def popen(argv, **options):
    with LIVE_LOCK:
        if STOPPING.is_set():
            raise RuntimeError("stopping")
        process = subprocess.Popen(argv, cwd=ROOT, start_new_session=True, **options)
        LIVE.add(process)
    return process


def run(argv, timeout, env=None, stdin=None):
    """Runs ARGV to its end (killed, with its group, after TIMEOUT seconds); returns (code, stdout, stderr)."""
    process = popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process, signal.SIGKILL, grace=1)
        out, err = process.communicate()
        err += f"\n(killed after {timeout} s)".encode()
        with LIVE_LOCK:
            LIVE.discard(process)
        return 124, out, err
    with LIVE_LOCK:
        LIVE.discard(process)
    return process.returncode, out, err


class Started:
    """A process that prints the address it bound to (stdout or stderr); its output is drained so it never blocks."""

    def __init__(self, argv, env=None, what=None):
        self.what = what or os.path.basename(argv[0])
        self.process = popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env={**os.environ, **(env or {})})
        self.lines, self.url = [], None
        found = threading.Event()

        def drain():
            for raw in self.process.stdout:
                line = raw.decode("utf-8", "replace")
                self.lines.append(line)
                if self.url is None:
                    match = ADDRESS.search(line)
                    if match:
                        self.url = match.group(0)
                        found.set()
            found.set()

        threading.Thread(target=drain, daemon=True).start()
        found.wait(START_TIMEOUT)
        if self.url is None:
            code = self.stop()
            how = f"exited {code}" if found.is_set() else f"printed no address within {START_TIMEOUT} s"
            raise RuntimeError(f"{self.what} {how} without an address: {''.join(self.lines)[-2000:]}")

    def stop(self):
        return _kill_group(self.process)

    def output(self):
        return "".join(self.lines)


# ---------------------------------------------------------------------------------------------------------------
# soaptape

class Soaptape:
    """The soaptape binary, copied once into the run's folder: a build in progress cannot change it mid-run."""

    def __init__(self, binary, work):
        source = os.path.abspath(binary)
        self.binary = os.path.join(work, "soaptape")
        problem = None
        for _ in range(60):  # a binary being linked is missing or busy for a while: wait for a whole one
            try:
                shutil.copy2(source, self.binary)
                code, _, err = run([self.binary, "--version"], 60)
                if code == 0:
                    return
                problem = err.decode("utf-8", "replace")
            except OSError as error:
                problem = str(error)
            time.sleep(5)
        raise RuntimeError(f"{source} cannot run: {problem}")

    def __call__(self, *arguments, timeout=COMMAND_TIMEOUT):
        return run([self.binary, *arguments], timeout)

    def report(self, *arguments, save=None):
        """Runs a command with `--format json` (its report also written to SAVE); returns (report or None, exit
        code, stderr)."""
        code, out, err = self(*arguments, "--format", "json")
        if save:
            with open(save, "wb") as handle:
                handle.write(out)
        try:
            return json.loads(out), code, err.decode("utf-8", "replace")
        except ValueError:
            return None, code, (err.decode("utf-8", "replace") + out.decode("utf-8", "replace"))[-3000:]

    def start(self, *arguments, what):
        return Started([self.binary, *arguments], what=what)


def cases(report):
    return [(suite["cassette"], case) for suite in report["suites"] for case in suite["cases"]]


# ---------------------------------------------------------------------------------------------------------------
# Cassettes

INTERACTION_START = re.compile(r"^--- # interaction (\d+)\s*$")


class Cassette:
    """A cassette's header text and, per interaction, its text and its parsed document."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        lines = text.splitlines(keepends=True)
        self.header, self.blocks, current = [], [], None
        for line in lines:
            if INTERACTION_START.match(line):
                current = [line]
                self.blocks.append(current)
            elif current is None:
                self.header.append(line)
            else:
                current.append(line)
        self.header = "".join(self.header)
        self.blocks = ["".join(block) for block in self.blocks]
        self.interactions = [yaml.load(block, Loader=SAFE_LOADER) for block in self.blocks]
        self.by_sequence = {item["sequence"]: (item, block) for item, block in zip(self.interactions, self.blocks)}


# The shapes issue 23 found verify failing although the schema allows them, with the places they are looked for. A
# run of every stack must carry each (--require-shapes), so that a green matrix says these shapes were tried.
SHAPES = {
    "recursion": "a request element nested in an element of its own name (a recursive type filled a level deep)",
    "inherited": "a request element carrying a base type's members (WCF's Carrier: TableRight before the rest)",
    "mustUnderstand": "a header block marked mustUnderstand",
    "xsi:type": "elements typed with xsi:type in the Body",
    "encodingStyle": "soap:encodingStyle on the Envelope",
    "arrays": "an element with two or more items of one name",
    "crlf": "a body ending its lines in CRLF (kept as body_crlf)",
}


def shapes_of(interaction):
    """The SHAPES one interaction carries (request and response)."""
    found = set()
    for side in ("request", "response"):
        message = interaction.get(side) or {}
        if "body_crlf" in message:
            found.add("crlf")
        root = envelope(message)
        if root is None or etree.QName(root).namespace not in SOAP_ENVELOPES:
            continue
        namespace = etree.QName(root).namespace
        if root.get(f"{{{namespace}}}encodingStyle") is not None:
            found.add("encodingStyle")
        header = soap_part(root, "Header")
        if header is not None and any(isinstance(block.tag, str) and block.get(f"{{{namespace}}}mustUnderstand")
                                      is not None for block in header):
            found.add("mustUnderstand")
        body = soap_part(root, "Body")
        if body is None:
            continue
        for element in body.iter():
            if not isinstance(element.tag, str):
                continue
            if element is not body and element.get(f"{{{XSI}}}type") is not None:
                found.add("xsi:type")
            names = collections.Counter(child.tag for child in element if isinstance(child.tag, str))
            if any(count >= 2 for count in names.values()):
                found.add("arrays")
            if side == "request":
                if any(isinstance(child.tag, str) and etree.QName(child).localname == "TableRight" for child in element):
                    found.add("inherited")
                if element is not body and any(inner.tag == element.tag for inner in element.iterdescendants()):
                    found.add("recursion")
    return found


def body_text(message):
    if "body" in message:
        return crlf_join(message["body"], message["body_crlf"]) if "body_crlf" in message else message["body"]
    if "body_base64" in message:
        return base64.b64decode(message["body_base64"]).decode("utf-8", "replace")
    return ""


def envelope(message):
    text = body_text(message)
    if not text.strip():
        return None
    try:
        return etree.fromstring(text.encode("utf-8"), PARSER)
    except etree.XMLSyntaxError:
        return None


def soap_part(root, name):
    if root is None or etree.QName(root).namespace not in SOAP_ENVELOPES:
        return None
    return next((child for child in root if isinstance(child.tag, str) and etree.QName(child).localname == name), None)


def payload_of(root):
    body = soap_part(root, "Body")
    if body is None:
        return None
    return next((child for child in body if isinstance(child.tag, str)), None)


def operation_name(interaction):
    """The operation's name: the spec's that record identified, else the request element's local name."""
    operation = interaction.get("operation") or {}
    return operation.get("name") or (operation.get("element") or "").rsplit("}", 1)[-1] or "unknown"


def response_payload(interaction):
    if interaction["request"]["method"] != "POST":
        return None
    return payload_of(envelope(interaction["response"]))


def holds_value(interaction):
    element = response_payload(interaction)
    return element is not None and any((node.text or "").strip() for node in element.iter()
                                       if isinstance(node.tag, str) and len(node) == 0)


def has_child(interaction):
    element = response_payload(interaction)
    return element is not None and any(isinstance(child.tag, str) for child in element)


def crlf_join(text, value):
    """A body's text with the CRs its `body_crlf` value notes put back: `all`, or the 1-based numbers of the lines
    that end in CRLF (docs/cassettes.md; soaptape's BodyLineEnds)."""
    lines = text.split("\n")
    if isinstance(value, str) and value.strip() == "all":
        return "\r\n".join(lines)
    if isinstance(value, str):
        value = [int(part) for part in value.strip().strip("[]").split(",") if part.strip()]
    numbers = set(value)
    return "".join(line + ("\r\n" if number in numbers else "\n") for number, line in enumerate(lines[:-1], 1)) \
        + lines[-1]


def crlf_split(text):
    """(text without the CR of each CRLF, the body_crlf value), or None when there is no CR or a CR stands alone."""
    if "\r" not in text or "\r" in text.replace("\r\n", ""):
        return None
    lines = text.split("\n")
    ending = [number for number, line in enumerate(lines[:-1], 1) if line.endswith("\r")]
    value = "all" if len(ending) == len(lines) - 1 else "[" + ", ".join(map(str, ending)) + "]"
    return text.replace("\r\n", "\n"), value


def literal_block(key, text, indent="  "):
    """KEY written as soaptape writes a body: a literal block (`|`, `|-` without a final newline), CRLF line ends
    noted in `KEY_crlf`, or `KEY_base64:` when the text holds other control characters."""
    split = crlf_split(text)
    if split is not None and not any((ord(ch) < 32 and ch != "\n") or ord(ch) == 127 for ch in split[0]):
        return f"{indent}{key}_crlf: {split[1]}\n" + literal_block(key, split[0], indent)
    if any((ord(ch) < 32 and ch != "\n") or ord(ch) == 127 for ch in text):
        return f"{indent}{key}_base64: {base64.b64encode(text.encode('utf-8')).decode()}\n"
    stripped = text.rstrip("\n")
    trailing = len(text) - len(stripped)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    indicator = "2" if stripped[:1] in (" ", "\n") else ""
    lines = [f"{indent}{key}: |{indicator}{chomp}\n"]
    for line in stripped.split("\n"):
        lines.append(f"{indent}  {line}\n" if line else "\n")
    lines.extend("\n" for _ in range(trailing - 1))
    return "".join(lines)


def replace_request_body(block, new_body):
    """The interaction text BLOCK with its request body replaced by NEW_BODY (every other byte kept)."""
    lines = block.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == "request:")
    section_end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ") and lines[i].strip()),
                       len(lines))
    lines = lines[:start] + [line for line in lines[start:section_end] if not line.startswith("  body_crlf:")] \
        + lines[section_end:]
    index = next(i for i in range(start + 1, len(lines))
                 if re.match(r"^  body(_base64)?:", lines[i]))
    end = index + 1
    while end < len(lines) and (lines[end].strip() == "" or lines[end].startswith("    ")):
        end += 1
    # blank lines right before the next key belong to the block only when the body kept them (`|+`)
    while end - 1 > index and lines[end - 1].strip() == "" and not lines[index].rstrip().endswith("+"):
        end -= 1
    return "".join(lines[:index]) + literal_block("body", new_body) + "".join(lines[end:])


def serialize_like(original_text, root):
    """ROOT written back as a body: the original's XML declaration and final newline kept."""
    declaration = re.match(r"\s*(<\?xml[^>]*\?>)", original_text)
    text = etree.tostring(root, encoding="unicode")
    if declaration:
        text = declaration.group(1) + "\n" + text
    if original_text.endswith("\n"):
        text += "\n"
    return text


# ---------------------------------------------------------------------------------------------------------------
# The WSDL's schema, enough to say which element is required and which leaf has which built-in type.

class Particle:
    def __init__(self, name, ns, type_ref, anonymous, min_occurs, max_occurs):
        self.name, self.ns, self.type_ref, self.anonymous = name, ns, type_ref, anonymous
        self.min_occurs, self.max_occurs = min_occurs, max_occurs


class Schema:
    def __init__(self, wsdl_path):
        document = etree.parse(wsdl_path, PARSER)
        self.elements, self.types = {}, {}
        for schema in document.iter(f"{{{XS}}}schema"):
            tns = schema.get("targetNamespace") or ""
            for child in schema:
                if not isinstance(child.tag, str) or not child.get("name"):
                    continue
                kind = etree.QName(child).localname
                if kind == "element":
                    self.elements[(tns, child.get("name"))] = (child, tns)
                elif kind in ("complexType", "simpleType"):
                    self.types[(tns, child.get("name"))] = (child, tns)
        self._particles = {}

    @staticmethod
    def qname(node, text):
        prefix, _, local = text.rpartition(":")
        return (node.nsmap.get(prefix or None, ""), local)

    def builtin(self, type_ref, depth=0):
        """The XML Schema built-in a simple type comes down to ('int', 'string', …), or None for a complex type."""
        if type_ref is None or depth > 20:
            return None
        ns, name = type_ref
        if ns == XS:
            return name
        found = self.types.get(type_ref)
        if found is None:
            return None
        node, _ = found
        return self._simple_builtin(node, depth)

    def _simple_builtin(self, node, depth):
        if etree.QName(node).localname != "simpleType":
            return None
        restriction = node.find(f"{{{XS}}}restriction")
        if restriction is not None:
            if restriction.find(f"{{{XS}}}enumeration") is not None:
                return "enumeration"
            if restriction.get("base"):
                return self.builtin(self.qname(restriction, restriction.get("base")), depth + 1)
            inner = restriction.find(f"{{{XS}}}simpleType")
            return self._simple_builtin(inner, depth + 1) if inner is not None else "string"
        return "list" if node.find(f"{{{XS}}}list") is not None else "union"

    def element_type(self, ns, name):
        """(type_ref, anonymous node) of a global element."""
        found = self.elements.get((ns, name))
        if found is None:
            return None, None
        node, _ = found
        if node.get("type"):
            return self.qname(node, node.get("type")), None
        return None, node.find(f"{{{XS}}}complexType") if node.find(f"{{{XS}}}complexType") is not None \
            else node.find(f"{{{XS}}}simpleType")

    def particles(self, type_ref, anonymous):
        """The element particles of a complex type, base members first."""
        if anonymous is not None:
            return self._content(anonymous, self._tns_of(anonymous), 0)
        if type_ref is None or type_ref not in self.types:
            return []
        if type_ref not in self._particles:
            node, tns = self.types[type_ref]
            self._particles[type_ref] = self._content(node, tns, 0)
        return self._particles[type_ref]

    def _tns_of(self, node):
        for ancestor in node.iterancestors(f"{{{XS}}}schema"):
            return ancestor.get("targetNamespace") or ""
        return ""

    def _content(self, node, tns, depth):
        if depth > 30 or etree.QName(node).localname == "simpleType":
            return []
        found = []
        for child in node:
            if not isinstance(child.tag, str):
                continue
            kind = etree.QName(child).localname
            if kind in ("sequence", "all", "choice"):
                found.extend(self._group(child, tns, depth))
            elif kind in ("complexContent", "simpleContent"):
                for derivation in child:
                    if not isinstance(derivation.tag, str):
                        continue
                    if etree.QName(derivation).localname == "extension" and derivation.get("base"):
                        base = self.qname(derivation, derivation.get("base"))
                        if base in self.types:
                            base_node, base_tns = self.types[base]
                            found.extend(self._content(base_node, base_tns, depth + 1))
                    found.extend(self._content(derivation, tns, depth + 1))
        return found

    def _group(self, group, tns, depth):
        found = []
        choice = etree.QName(group).localname == "choice"
        for child in group:
            if not isinstance(child.tag, str):
                continue
            kind = etree.QName(child).localname
            if kind == "element":
                min_occurs = 0 if choice else int(child.get("minOccurs", "1"))
                max_raw = child.get("maxOccurs", "1")
                max_occurs = 1 << 30 if max_raw == "unbounded" else int(max_raw)
                if child.get("ref"):
                    ns, name = self.qname(child, child.get("ref"))
                    type_ref, anonymous = self.element_type(ns, name)
                else:
                    ns, name = tns, child.get("name")
                    anonymous = child.find(f"{{{XS}}}complexType")
                    if anonymous is None:
                        anonymous = child.find(f"{{{XS}}}simpleType")
                    type_ref = self.qname(child, child.get("type")) if child.get("type") else None
                found.append(Particle(name, ns, type_ref, anonymous, min_occurs, max_occurs))
            elif kind in ("sequence", "choice", "all"):
                found.extend(self._group(child, tns, depth + 1))
        return found

    def leaf_builtin(self, type_ref, anonymous):
        if anonymous is not None:
            return self._simple_builtin(anonymous, 0)
        return self.builtin(type_ref)

    def walk(self, payload):
        """Yields (instance element, particle or None, effective type_ref, anonymous node) below PAYLOAD, in
        document order; the payload itself first, with particle None."""
        qname = etree.QName(payload)
        type_ref, anonymous = self.element_type(qname.namespace or "", qname.localname)
        yield from self._walk(payload, None, type_ref, anonymous)

    def _walk(self, element, particle, type_ref, anonymous):
        declared = element.get(f"{{{XSI}}}type")
        if declared:
            type_ref, anonymous = self.qname(element, declared), None
        yield element, particle, type_ref, anonymous
        members = {(p.name): p for p in self.particles(type_ref, anonymous)}
        for child in element:
            if not isinstance(child.tag, str):
                continue
            member = members.get(etree.QName(child).localname)
            if member is None:
                yield child, None, None, None
                continue
            yield from self._walk(child, member, member.type_ref, member.anonymous)


def twin_of(copied_root, root, element):
    """ELEMENT's counterpart in COPIED_ROOT, a deep copy of ROOT."""
    index = next(i for i, node in enumerate(root.iter()) if node is element)
    return next(node for i, node in enumerate(copied_root.iter()) if i == index)


def local_path(element):
    names = [etree.QName(node).localname for node in reversed(list(element.iterancestors()))]
    return "/" + "/".join(names + [etree.QName(element).localname])


NUMERIC_OR_TYPED = {"int", "long", "short", "byte", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
                    "integer", "decimal", "double", "float", "boolean", "dateTime", "date", "time"}


# ---------------------------------------------------------------------------------------------------------------
# Specs

class LiteralDumper(yaml.SafeDumper):
    pass


def _string(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


LiteralDumper.add_representer(str, _string)


def load_specs(folder):
    """{(endpoint path, operation): (spec file, spec document)} for every spec under FOLDER."""
    found = {}
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.yaml"), recursive=True)):
        name = os.path.basename(path)
        if name.startswith("_") or name.endswith(".examples.yaml"):
            continue
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=SAFE_LOADER)
        if isinstance(document, dict) and "operation" in document:
            found[(document.get("endpoint"), document["operation"])] = (path, document)
    return found


def write_spec(path, document):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("# soaptape spec (format 1): docs/specs.md — changed by wsdl_matrix.py for an injected change\n")
        yaml.dump(document, handle, Dumper=LiteralDumper, sort_keys=False, allow_unicode=True, width=1 << 20)


PLACEHOLDER = re.compile(r"^\$\{([A-Za-z]+)\}$")


# ---------------------------------------------------------------------------------------------------------------
# Rows

class Row:
    def __init__(self, combo, step):
        self.wsdl, self.client, self.server = combo["wsdl_label"], combo["client"], combo["server"]
        self.step = step
        self.interactions = self.passed = self.failed = self.false = self.missed = self.skipped = 0
        self.notes, self.false_verdicts, self.missed_catches, self.stack_failures = [], [], [], []
        self.created, self.seconds = time.monotonic(), None
        self.shapes = collections.Counter()

    @property
    def pair(self):
        return f"{self.client} → {self.server}"

    def false_verdict(self, sequence, operation, message, difference=None):
        self.false += 1
        difference = difference or {}
        self.false_verdicts.append({
            "wsdl": self.wsdl, "pair": self.pair, "step": self.step, "sequence": sequence, "operation": operation,
            "message": message, "kind": difference.get("kind"), "path": difference.get("path"),
            "expected": difference.get("expected"), "actual": difference.get("actual")})

    def could_not_run(self, message):
        """A stack that could not do its part (a server that does not start, a client that cannot run) or this
        driver's own crash: no verdict of soaptape's, but the run fails."""
        self.stack_failures.append({"wsdl": self.wsdl, "pair": self.pair, "step": self.step, "message": message})
        self.notes.append(message)

    def missed_catch(self, sequence, operation, message):
        self.missed += 1
        self.missed_catches.append({"wsdl": self.wsdl, "pair": self.pair, "step": self.step, "sequence": sequence,
                                    "operation": operation, "message": message})

    def as_dict(self):
        return {"shapes": dict(self.shapes), "wsdl": self.wsdl, "pair": self.pair, "step": self.step, "interactions": self.interactions,
                "passed": self.passed, "failed": self.failed, "false_verdicts": self.false,
                "missed_catches": self.missed, "skipped": self.skipped, "seconds": self.seconds, "notes": self.notes,
                "false_verdict_details": self.false_verdicts, "missed_catch_details": self.missed_catches,
                "could_not_run": self.stack_failures}


FAILING = ("failed", "error", "unidentified", "unused")


def tally(row, found, should_fail=lambda sequence: False, count_unidentified=True):
    for _, case in found:
        if case["verdict"] == "skipped" or (case["verdict"] == "unidentified" and not count_unidentified):
            continue
        row.interactions += 1
        failed = case["verdict"] in FAILING
        row.failed += failed
        row.passed += not failed
        if failed and not should_fail(case["sequence"]):
            first = (case.get("differences") or [None])[0]
            row.false_verdict(case["sequence"], case["operation"], describe(case, first), first)
        if not failed and should_fail(case["sequence"]):
            row.missed_catch(case["sequence"], case["operation"], "passed, though it should have failed")


def describe(case, difference):
    if not difference:
        return f"{case['verdict']}: {case.get('message', '')}"
    text = f"{difference.get('kind')} at {difference.get('path')}"
    if difference.get("expected") is not None or difference.get("actual") is not None:
        text += f": expected {difference.get('expected')}, found {difference.get('actual')}"
    return text


# ---------------------------------------------------------------------------------------------------------------
# One WSDL × server × client

def run_client(client, plan_path, endpoint):
    """The client's JSON lines ({operation: line}), in order, or raises with what it printed."""
    code, out, err = run([*CLIENTS[client], "--plan", plan_path, "--endpoint", endpoint], CLIENT_TIMEOUT)
    lines, other = [], []
    for raw in out.decode("utf-8", "replace").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            other.append(raw)
            continue
        if isinstance(line, dict) and "operation" in line:
            lines.append(line)
        else:
            other.append(raw)
    if code != 0:
        raise RuntimeError(f"{client} exited {code}: {err.decode('utf-8', 'replace')[-2000:]}{''.join(other)[-500:]}")
    return lines


def first_change(live, served):
    """Where two printed lines part: a little context and both continuations."""
    index = next((i for i, (a, b) in enumerate(zip(live, served)) if a != b), min(len(live), len(served)))
    start = max(0, index - 80)
    return f"at character {index}: …{live[start:index]}[live: {live[index:index + 120]!r} | serve: " \
           f"{served[index:index + 120]!r}]"


def start_server(server, plan_path, variant):
    return Started(SERVERS[server], env={"INTEROP_PLAN": plan_path, "INTEROP_VARIANT": variant},
                   what=f"{server} server ({variant})")


def secrets_of(plan):
    """--set NAME=VALUE for the values record redacts (ApplicationToken, Ticket, Password), from the plan."""
    found = {}

    def walk(node):
        if node["name"] in ("ApplicationToken", "Ticket", "Password") and node.get("text") is not None:
            found.setdefault(node["name"], node["text"])
        for child in node["children"]:
            walk(child)

    for operation in plan["operations"]:
        for block in operation["headers"]:
            walk(block)
        walk(operation["request"])
    return [argument for name, value in sorted(found.items()) for argument in ("--set", f"{name}={value}")]


def combination(soaptape, combo, work):
    """Every step for one WSDL × server × client; returns its rows."""
    tag = f"{combo['tag']}-{combo['client']}-{combo['server']}"
    folder = os.path.join(work, tag)
    os.makedirs(folder, exist_ok=True)
    plan_path, plan = combo["plan_path"], combo["plan"]
    endpoint_path = plan["endpoint_path"]
    cassette = os.path.join(folder, "cassette.yaml")
    rows = []

    # 1. record
    row = Row(combo, "record (client outcomes)")
    rows.append(row)
    try:
        live_server = start_server(combo["server"], plan_path, "normal")
    except RuntimeError as error:
        row.could_not_run(f"the server did not start: {error}")
        return rows
    try:
        recorder = soaptape.start("record", "--upstream", live_server.url, "--cassette", cassette,
                                  "--listen", "127.0.0.1:0", what="soaptape record")
        try:
            live = run_client(combo["client"], plan_path, recorder.url + endpoint_path)
        except RuntimeError as error:
            row.could_not_run(f"the client could not run: {error}")
            return rows
        finally:
            recorder.stop()
    finally:
        live_server.stop()
        with open(os.path.join(folder, "server-live.log"), "w", encoding="utf-8") as handle:
            handle.write(live_server.output())
    with open(os.path.join(folder, "client-live.jsonl"), "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in live)
    row.interactions = len(live)
    for line in live:
        ok = line.get("outcome") == "ok"
        row.passed += ok
        row.failed += not ok
        if not ok:
            row.notes.append(f"{line.get('operation')}: {line.get('outcome')}: {str(line.get('result'))[:300]}")
    called = [line.get("operation") for line in live]
    expected_calls = [operation["name"] for operation in plan["operations"]]
    if called != expected_calls:
        row.notes.append(f"the client called {len(called)} operations, the plan has {len(expected_calls)}")
    if not os.path.exists(cassette):
        row.notes.append("no cassette was written")
        return rows
    recorded = Cassette(cassette)
    by_sequence = {item["sequence"]: item for item in recorded.interactions}
    row.notes.insert(0, f"{len(recorded.interactions)} interactions recorded")
    for item in recorded.interactions:
        row.shapes.update(shapes_of(item))

    # 2. verify; the injected changes (a)-(c) are checked by the same run, in copies of the cassette beside it
    try:
        injections = prepare_injections(combo, folder, recorded)
    except Exception as error:  # noqa: BLE001 — the steps go on; the crash is reported as a row
        injections = None
        crashed = f"the driver failed preparing injected changes: {type(error).__name__}: {error}"
    wsdl_verified = None
    for step, specs, arguments, count_unidentified in (
            ("verify (WSDL specs)", combo["wsdl_specs"], ["--require-spec"], True),
            ("verify (page specs)", os.path.join(ROOT, "specs"), [], False)):
        row = Row(combo, step)
        rows.append(row)
        if count_unidentified and injections is not None:
            wsdl_verified = report, code, err = verify_group(soaptape, injections, "wsdl", cassette)
        else:
            report, code, err = soaptape.report("verify", "--specs", specs, *arguments, cassette,
                                                save=os.path.join(folder, "verify-page-specs.json"))
        if report is None:
            row.notes.append(f"verify exited {code}: {err}")
            row.false_verdict(None, None, f"verify could not run: {err.strip().splitlines()[-1] if err.strip() else code}")
            continue
        found = [(path, case) for path, case in cases(report) if same_file(path, cassette)]
        tally(row, found, count_unidentified=count_unidentified)
        unidentified = sum(case["verdict"] == "unidentified" for _, case in found)
        if not count_unidentified:
            row.notes.append(f"{unidentified} interactions no committed spec identifies (not counted)")

    # 3. serve
    row = Row(combo, "serve → same client")
    rows.append(row)
    serve_json = os.path.join(folder, "serve.json")
    try:
        mock = soaptape.start("serve", cassette, "--strict", "--json", serve_json, "--listen", "127.0.0.1:0",
                              what="soaptape serve")
    except RuntimeError as error:
        row.false_verdict(None, None, f"serve did not start: {error}")
        mock = None
    if mock is not None:
        try:
            served = run_client(combo["client"], plan_path, mock.url + endpoint_path)
        except RuntimeError as error:
            served = None
            row.false_verdict(None, None, f"the client could not run against serve: {error}")
        status = mock.stop()
        with open(os.path.join(folder, "serve.log"), "w", encoding="utf-8") as handle:
            handle.write(mock.output())
        if os.path.exists(serve_json):
            with open(serve_json, encoding="utf-8") as handle:
                served_report = json.load(handle)
            tally(row, cases(served_report))
            for request in served_report.get("unmatched", []):
                row.failed += 1
                row.false_verdict(None, request.get("operation"),
                                  "unmatched: " + describe(request, (request.get("differences") or [None])[0]),
                                  (request.get("differences") or [None])[0])
            extra = served_report["summary"].get("unmatched", 0) - len(served_report.get("unmatched", []))
            if extra > 0:
                row.false_verdict(None, None, f"{extra} more unmatched requests")
        else:
            row.false_verdict(None, None, f"serve wrote no report (exit {status})")
        if served is not None:
            with open(os.path.join(folder, "client-serve.jsonl"), "w", encoding="utf-8") as handle:
                handle.writelines(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in served)
            live_by_operation = {line["operation"]: line for line in live}
            for line in served:
                before = live_by_operation.get(line["operation"])
                if before != line:
                    row.false_verdict(None, line["operation"], "the client got another answer from serve than live: "
                                      + first_change(json.dumps(before, ensure_ascii=False, sort_keys=True),
                                                     json.dumps(line, ensure_ascii=False, sort_keys=True)))
            if len(served) != len(live):
                row.false_verdict(None, None, f"the client printed {len(served)} lines from serve, {len(live)} live")
        if status not in (0, None):
            row.notes.append(f"serve --strict exited {status}")

    # 4. replay
    secrets = secrets_of(plan)
    for variant, mode, should_fail in (
            ("normal", "exact", lambda sequence: False),
            ("changed", "exact", lambda sequence: holds_value(by_sequence[sequence])),
            ("changed", "contract", lambda sequence: False),
            ("dropped", "contract", lambda sequence: has_child(by_sequence[sequence]))):
        row = Row(combo, f"replay {mode} → {'same' if variant == 'normal' else variant} server")
        rows.append(row)
        try:
            target = start_server(combo["server"], plan_path, variant)
        except RuntimeError as error:
            row.could_not_run(f"the server did not start: {error}")
            continue
        try:
            report, code, err = soaptape.report("replay", cassette, "--target", target.url, "--mode", mode, *secrets,
                                                save=os.path.join(folder, f"replay-{mode}-{variant}.json"))
        finally:
            target.stop()
        if report is None:
            row.false_verdict(None, None, f"replay could not run (exit {code}): {err[-500:]}")
            continue
        tally(row, cases(report), should_fail)

    # 5. injected changes: (a)-(c) were verified with step 2; (d) and (e) against their changed specs
    try:
        if injections is None:
            raise RuntimeError(crashed)
        for row in injections.rows.values():
            row.created = time.monotonic()
        if wsdl_verified is not None:
            judge_injections(injections, "wsdl", cassette, wsdl_verified)
        for group in ("d", "e"):
            judge_injections(injections, group, cassette, verify_group(soaptape, injections, group, cassette))
        rows.extend(injections.rows.values())
    except Exception as error:  # noqa: BLE001 — the rows so far stand; the crash is reported as a row
        row = Row(combo, "inject")
        row.could_not_run(f"the driver failed injecting changes: {type(error).__name__}: {error}")
        rows.append(row)
    # each row's seconds: until the next row began (the five inject rows are made together: the first has them all)
    ends = [row.created for row in rows[1:]] + [time.monotonic()]
    for row, end in zip(rows, ends):
        row.seconds = round(end - row.created, 2)
    return rows


# ---------------------------------------------------------------------------------------------------------------
# Injected changes

KINDS = {
    "a": "inject (a) required element dropped",
    "b": "inject (b) element not in the schema added",
    "c": "inject (c) value of the wrong type",
    "d": "inject (d) pinned value changed",
    "e": "inject (e) required header block missing",
}
INJECTED_NAME = "SoaptapeInjectedElement"


def changed_value(kind, value):
    """Another value of the same lexical type (so that only the spec's pin can catch it), or None."""
    if kind == "string":
        return value + "-changed"
    if kind in ("int", "long", "short", "byte", "integer"):
        try:
            number = int(value)
        except ValueError:
            return None
        return str(number - 1 if number > 0 else number + 1)
    if kind in ("unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"):
        try:
            number = int(value)
        except ValueError:
            return None
        return str(number - 1 if number > 0 else number + 1)
    if kind == "boolean":
        return {"true": "false", "false": "true", "1": "0", "0": "1"}.get(value)
    if kind in ("decimal", "double", "float"):
        return value + "1" if "." in value else value + ".5"
    return None


def names_path(differences, target, name):
    """How a difference in the request names the changed place TARGET (a path of local names): "at" it or below
    it; "at parent" (a schema validator reports a missing or unexpected child at its parent); "at sibling", naming
    NAME (libxml2 reports a dropped element at the next one: "This element is not expected. Expected is ( Key )");
    or None."""
    parent = target.rsplit("/", 1)[0]
    found = None
    for difference in differences:
        path = difference.get("path") or ""
        if path.startswith("response: "):
            continue  # every change is injected into the request
        path = re.sub(r"^request: ", "", path)
        path = re.sub(r"\[[^\]]*\]", "", path)
        path = "/".join(step.split(":")[-1] for step in path.split("/"))
        said = f"{difference.get('expected')} {difference.get('actual')}"
        if path == target or path.startswith(target + "/"):
            return "at"
        if path == parent:
            found = found or "at parent"
        elif path.rsplit("/", 1)[0] == parent and re.search(rf"\b{re.escape(name)}\b", said):
            found = "at sibling"
    return found


# The kinds checked against one specs folder share one verify run, with the unchanged cassette beside them.
GROUPS = {"wsdl": ("a", "b", "c"), "d": ("d",), "e": ("e",)}
GROUP_OF = {kind: group for group, kinds in GROUPS.items() for kind in kinds}


class Injections:
    """The mutated copies of one cassette and the specs to verify them with."""

    def __init__(self, combo, folder):
        self.rows = {kind: Row(combo, step) for kind, step in KINDS.items()}
        self.mutations = {kind: [] for kind in KINDS}  # kind -> [(file, sequence, operation, target path, name)]
        self.directories = {group: os.path.join(folder, f"inject-{group}") for group in GROUPS}
        self.spec_folders = {"wsdl": combo["wsdl_specs"]}


def prepare_injections(combo, folder, recorded):
    """Writes one mutated copy of the cassette per interaction and kind (the header and that one interaction, its
    request body changed with lxml and written back as soaptape writes bodies), and the changed specs of (d), (e)."""
    injections = Injections(combo, folder)
    rows, mutations, directories = injections.rows, injections.mutations, injections.directories
    schema = combo["schema"]
    specs = combo["wsdl_specs_by_operation"]
    pinned = {}   # spec file -> spec document with one request placeholder replaced by the recorded value
    for directory in directories.values():
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)

    def write_copy(kind, interaction, block, root, text, target, name):
        new_block = replace_request_body(block, serialize_like(text, root))
        sequence = interaction["sequence"]
        path = os.path.join(directories[GROUP_OF[kind]],
                            f"{kind}-{sequence:03d}-{operation_name(interaction)}.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(recorded.header + new_block)
        check = Cassette(path).interactions[0]
        if body_text(check["request"]) != serialize_like(text, root):
            raise RuntimeError(f"the mutated cassette {path} does not read back as written")
        mutations[kind].append((path, sequence, operation_name(interaction), target, name))

    for interaction, block in zip(recorded.interactions, recorded.blocks):
        if interaction["request"]["method"] != "POST" or interaction["response"].get("fault"):
            continue
        text = body_text(interaction["request"])
        root = envelope(interaction["request"])
        payload = payload_of(root)
        if payload is None:
            continue
        operation = operation_name(interaction)
        walked = list(schema.walk(payload))

        # (a) a required element dropped
        candidate = None
        for element, particle, _, _ in walked:
            if particle is None or particle.min_occurs < 1:
                continue
            siblings = [s for s in element.getparent() if isinstance(s.tag, str) and s.tag == element.tag]
            if len(siblings) <= particle.min_occurs:
                candidate = element
                break
        if candidate is None:
            rows["a"].skipped += 1
        else:
            mutated = copy.deepcopy(root)
            twin = twin_of(mutated, root, candidate)
            target = local_path(candidate)
            twin.getparent().remove(twin)
            write_copy("a", interaction, block, mutated, text, target, etree.QName(candidate).localname)

        # (b) an element the schema does not allow, added inside the payload
        mutated = copy.deepcopy(root)
        twin = payload_of(mutated)
        namespace = etree.QName(twin).namespace
        added = etree.SubElement(twin, f"{{{namespace}}}{INJECTED_NAME}" if namespace else INJECTED_NAME)
        added.text = "injected"
        write_copy("b", interaction, block, mutated, text, local_path(payload) + "/" + INJECTED_NAME, INJECTED_NAME)

        # (c) a value of the wrong type
        candidate = None
        for element, particle, type_ref, anonymous in walked:
            if particle is None or len(element) or element.get(f"{{{XSI}}}nil") in ("true", "1"):
                continue
            if schema.leaf_builtin(type_ref, anonymous) in NUMERIC_OR_TYPED:
                candidate = element
                break
        if candidate is None:
            rows["c"].skipped += 1
        else:
            mutated = copy.deepcopy(root)
            twin = twin_of(mutated, root, candidate)
            twin.text = "not-a-number"
            write_copy("c", interaction, block, mutated, text, local_path(candidate), etree.QName(candidate).localname)

        spec = specs.get(operation)
        # (d) a value the spec pins, changed
        if spec is None:
            rows["d"].skipped += 1
            rows["d"].notes.append(f"#{interaction['sequence']} {operation}: no WSDL spec")
        else:
            spec_path, spec_document = spec
            builtins = {element: schema.leaf_builtin(type_ref, anonymous)
                        for element, particle, type_ref, anonymous in walked if particle is not None}
            choice = pin_candidate(spec_document, payload, builtins)
            if choice is None:
                rows["d"].skipped += 1
            else:
                spec_leaf_path, recorded_element, kind, new_value = choice
                document = pinned.setdefault(spec_path, copy.deepcopy(spec_document))
                document["request"] = pin(document["request"], spec_leaf_path, recorded_element.text)
                mutated = copy.deepcopy(root)
                twin = twin_of(mutated, root, recorded_element)
                twin.text = new_value
                write_copy("d", interaction, block, mutated, text, local_path(recorded_element),
                           etree.QName(recorded_element).localname)

        # (e) a header block the contract requires, missing
        header = soap_part(root, "Header")
        credentials = None if header is None else next(
            (child for child in header if isinstance(child.tag, str) and etree.QName(child).localname == "Credentials"),
            None)
        if credentials is None or spec is None:
            rows["e"].skipped += 1
        else:
            mutated = copy.deepcopy(root)
            twin = twin_of(mutated, root, credentials)
            twin.getparent().remove(twin)
            write_copy("e", interaction, block, mutated, text, "/Envelope/Header/Credentials", "Credentials")

    # the specs for (d) and (e): copies of the WSDL-imported specs
    for kind in ("d", "e"):
        spec_folder = os.path.join(folder, f"specs-{kind}")
        shutil.rmtree(spec_folder, ignore_errors=True)
        shutil.copytree(combo["wsdl_specs"], spec_folder)
        for original_path, document in dict(specs.values()).items():
            target_path = os.path.join(spec_folder, os.path.relpath(original_path, combo["wsdl_specs"]))
            if kind == "d":
                if original_path not in pinned:
                    continue
                write_spec(target_path, pinned[original_path])
            else:
                changed = copy.deepcopy(document)
                rules = changed.setdefault("rules", {}) or {}
                changed["rules"] = rules
                rules["required"] = list(rules.get("required") or []) + ["/Envelope/Header/Credentials"]
                write_spec(target_path, changed)
        injections.spec_folders[kind] = spec_folder
    for row in rows.values():
        row.notes.insert(0, f"{row.skipped} interactions skipped (nothing to change of this kind)")
    return injections


def verify_group(soaptape, injections, group, cassette):
    """verify of the unchanged CASSETTE and GROUP's mutated copies against GROUP's specs: (report or None, exit
    code, stderr)."""
    return soaptape.report("verify", "--specs", injections.spec_folders[group], "--require-spec", cassette,
                           injections.directories[group],
                           save=os.path.join(os.path.dirname(cassette), f"verify-{group}-specs.json"))


def judge_injections(injections, group, cassette, verified):
    """Tallies GROUP's rows from its verify run; for (d) and (e), the unchanged cassette is the control: it must
    conform to the changed specs."""
    report, code, err = verified
    for kind in GROUPS[group]:
        row = injections.rows[kind]
        if report is None:
            message = f"verify could not run (exit {code}): {err.strip()[-600:]}"
            row.notes.append(message)
            for path, sequence, operation, target, name in injections.mutations[kind]:
                row.interactions += 1
                row.passed += 1
                row.missed_catch(sequence, operation, message.splitlines()[0][:300] if message else message)
            continue
        if group != "wsdl":
            control = Row({"wsdl_label": row.wsdl, "client": row.client, "server": row.server}, row.step)
            tally(control, [(path, case) for path, case in cases(report) if same_file(path, cassette)])
            for item in control.false_verdicts:
                item["message"] = "the unchanged cassette fails the changed spec: " + item["message"]
            row.false += control.false
            row.false_verdicts.extend(control.false_verdicts)
        by_file, places = {}, collections.Counter()
        for cassette_path, case in cases(report):
            if case["verdict"] != "skipped" and not same_file(cassette_path, cassette):
                by_file[os.path.basename(cassette_path)] = case
        for path, sequence, operation, target, name in injections.mutations[kind]:
            case = by_file.get(os.path.basename(path))
            row.interactions += 1
            if case is None:
                row.passed += 1
                row.missed_catch(sequence, operation, "verify reported nothing for the mutated cassette")
                continue
            failed = case["verdict"] in FAILING
            row.failed += failed
            row.passed += not failed
            if not failed:
                row.missed_catch(sequence, operation, f"passed (changed at {target})")
            else:
                where = names_path(case.get("differences") or [], target, name) if case["verdict"] == "failed" else None
                if where is None:
                    first = (case.get("differences") or [None])[0]
                    row.missed_catch(sequence, operation,
                                     f"{case['verdict']} elsewhere than at {target}: {describe(case, first)}")
                elif where != "at":
                    places[where] += 1
        for where, count in sorted(places.items()):
            row.notes.append(f"{count} caught {where} of the changed element (a schema validator's place)")


def same_file(a, b):
    return os.path.abspath(os.path.join(ROOT, a)) == os.path.abspath(os.path.join(ROOT, b))


def pin_candidate(spec_document, payload, builtins):
    """(spec leaf path, recorded element, placeholder kind, changed value) for the first request leaf of the spec
    holding a plain typed placeholder whose path occurs once in the spec and once, with a value, in the recording,
    and whose schema type (BUILTINS: recorded element -> XML Schema built-in) is the placeholder's — so that the
    changed value is still valid for its type, and only the pin can catch it."""
    try:
        spec_root = etree.fromstring(spec_document["request"].encode("utf-8"), PARSER)
    except (etree.XMLSyntaxError, KeyError):
        return None
    spec_payload = payload_of(spec_root)
    if spec_payload is None:
        return None
    spec_paths = collections.Counter(local_path(element) for element in spec_payload.iter() if isinstance(element.tag, str))
    recorded = collections.defaultdict(list)
    for element in payload.iter():
        if isinstance(element.tag, str):
            recorded[local_path(element)].append(element)
    preference = ["string", "int", "long", "short", "boolean", "decimal", "double", "float"]
    choices = []
    for element in spec_payload.iter():
        if not isinstance(element.tag, str) or len(element):
            continue
        match = PLACEHOLDER.match((element.text or "").strip())
        if not match or match.group(1) not in preference:
            continue
        path = local_path(element)
        found = recorded.get(path, [])
        if spec_paths[path] != 1 or len(found) != 1 or len(found[0]) or not (found[0].text or "").strip():
            continue
        if builtins.get(found[0]) != match.group(1):
            continue  # a list or enumeration written as ${string}: another value would break its type too
        new_value = changed_value(match.group(1), found[0].text)
        if new_value is None or new_value == found[0].text:
            continue
        choices.append((preference.index(match.group(1)), path, found[0], match.group(1), new_value))
    if not choices:
        return None
    choices.sort(key=lambda choice: choice[0])
    _, path, element, kind, new_value = choices[0]
    return path, element, kind, new_value


def pin(request_text, leaf_path, value):
    """The spec's request envelope with the placeholder at LEAF_PATH replaced by VALUE (the rest as written)."""
    root = etree.fromstring(request_text.encode("utf-8"), PARSER)
    for element in root.iter():
        if isinstance(element.tag, str) and local_path(element) == leaf_path:
            element.text = value
            break
    return serialize_like(request_text, root)


# ---------------------------------------------------------------------------------------------------------------
# Stacks, plans and specs

def check_stacks(clients, servers, out):
    """Builds (once) and checks every stack asked for; returns {stack: problem} for those that cannot run."""
    problems = {}
    needed = sorted(set(clients) | set(servers))
    for stack in needed:
        if stack == "zeep":
            code, _, err = run([PYTHON, "-c", "import zeep, lxml, yaml"], 120)
            if code != 0:
                problems[stack] = f"the interop venv lacks zeep: {err.decode()[-500:]}"
            continue
        if stack == "php":
            code, out_text, err = run(["php", "-m"], 60) if shutil.which("php") else (1, b"", b"php is not installed")
            if code != 0 or b"soap" not in out_text:
                problems[stack] = "php with ext/soap is missing (apt-get install -y php-cli php-soap)"
            continue
        wrappers = [CLIENTS[stack][0]] if stack in clients else []
        wrappers += [SERVERS[stack][0]] if stack in servers else []
        missing = [path for path in [BUILDS.get(stack)] + wrappers if path and not os.access(path, os.X_OK)]
        if missing:
            problems[stack] = "missing: " + ", ".join(os.path.relpath(path, ROOT) for path in missing)
            continue
        if stack not in BUILDS:
            continue
        started = time.monotonic()
        code, out_text, err = run([BUILDS[stack]], BUILD_TIMEOUT)
        with open(os.path.join(out, f"build-{stack}.log"), "wb") as handle:
            handle.write(out_text + err)
        if code != 0:
            problems[stack] = f"its build exited {code} after {time.monotonic() - started:.0f} s: " \
                              f"{(out_text + err).decode('utf-8', 'replace')[-800:]}"
    return problems


def wsdl_label(wsdl):
    parts = wsdl.split(os.sep)
    return f"{parts[-3]}/{parts[-2]}" if len(parts) >= 3 else wsdl


def prepare_wsdl(soaptape, wsdl, work):
    label = wsdl_label(wsdl)
    tag = label.replace("/", "-")
    plan_path = os.path.join(work, f"plan-{tag}.json")
    code, out, err = run([PYTHON, os.path.join(HERE, "plan", "wsdl_plan.py"), wsdl], 600)
    if code != 0:
        raise RuntimeError(f"wsdl_plan.py {wsdl} exited {code}: {err.decode()[-2000:]}")
    with open(plan_path, "wb") as handle:
        handle.write(out)
    plan = json.loads(out)
    specs = os.path.join(work, f"wsdl-specs-{tag}")
    shutil.rmtree(specs, ignore_errors=True)
    code, _, err = soaptape("import", "--wsdl", wsdl, "--out", specs)
    if code != 0:
        raise RuntimeError(f"soaptape import --wsdl {wsdl} exited {code}: {err.decode()[-2000:]}")
    by_operation = {operation: found for (endpoint, operation), found in load_specs(specs).items()
                    if endpoint == plan["endpoint_path"]}
    return {"wsdl": wsdl, "wsdl_label": label, "tag": tag, "plan_path": plan_path, "plan": plan,
            "wsdl_specs": specs, "wsdl_specs_by_operation": by_operation,
            "schema": Schema(os.path.join(ROOT, wsdl))}


# ---------------------------------------------------------------------------------------------------------------
# Report

def group_key(item):
    """False verdicts grouped by what their first difference says, values and positions left out."""
    path = re.sub(r"\[\d+\]", "", item.get("path") or "")
    side = path.split(": ", 1)[0] + " " if ": " in path else ""
    last = path.rsplit("/", 1)[-1] if path else ""
    message = item["message"]
    if item.get("kind"):
        detail = f"{item.get('expected')} / {item.get('actual')}"
        detail = re.sub(r"\d+", "N", detail)
        detail = re.sub(r"-N\b", "-N", detail)
        detail = re.sub(r"\"[^\"]{0,80}\"", "\"…\"", detail)
        return f"{item['step'].split(' →')[0]}: {item['kind']} at {side}…/{last}: {detail}"[:300]
    message = re.sub(r"\d+", "N", message)
    return f"{item['step']}: {message}"[:300]


def write_report(out, rows, problems, elapsed, stacks, require_shapes=False):
    shapes = collections.Counter()
    shape_pairs = collections.defaultdict(set)
    for row in rows:
        shapes.update(row.shapes)
        for shape in row.shapes:
            shape_pairs[shape].add(row.pair)
    absent = [shape for shape in SHAPES if not shapes[shape]] if require_shapes else []
    false_items = [item for row in rows for item in row.false_verdicts]
    missed_items = [item for row in rows for item in row.missed_catches]
    groups = collections.defaultdict(list)
    for item in false_items:
        groups[group_key(item)].append(item)
    grouped = [{"message": key, "count": len(items), "pairs": sorted({f"{i['pair']} ({i['wsdl']})" for i in items}),
                "steps": sorted({i["step"] for i in items}), "example": items[0]}
               for key, items in sorted(groups.items(), key=lambda entry: -len(entry[1]))]
    missed_groups = collections.Counter(
        f"{item['step']}: {re.sub(r'[0-9]+', 'N', re.sub(r'at /[^ :]*', 'at PATH', item['message']))[:200]}"
        for item in missed_items)
    not_run = [item for row in rows for item in row.stack_failures]
    result = {
        "stacks": stacks, "missing_stacks": problems, "seconds": round(elapsed, 1),
        "false_verdicts": len(false_items), "missed_catches": len(missed_items), "could_not_run": not_run,
        "shapes": {shape: {"interactions": shapes[shape], "pairs": sorted(shape_pairs[shape])} for shape in SHAPES},
        "shapes_missing": absent,
        "false_verdict_groups": grouped,
        "missed_catch_groups": [{"message": key, "count": count} for key, count in missed_groups.most_common()],
        "rows": [row.as_dict() for row in rows],
    }
    with open(os.path.join(out, "wsdl-matrix.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2, ensure_ascii=False)
    lines = [f"# WSDL interop matrix\n",
             f"{len(rows)} rows in {elapsed:.0f} s: **{len(false_items)} false verdicts, {len(missed_items)} missed "
             f"catches**. Clients: {', '.join(stacks['clients'])}; servers: {', '.join(stacks['servers'])}.\n"]
    if problems:
        lines.append("**Stacks that could not run:**\n")
        lines += [f"- {stack}: {problem.splitlines()[0] if problem else ''}" for stack, problem in problems.items()]
        lines.append("")
    if not_run:
        lines.append("**Steps that could not run (the run fails):**\n")
        lines += [f"- {item['pair']} ({item['wsdl']}) {item['step']}: {md(item['message'][:300])}" for item in not_run]
        lines.append("")
    lines += ["Shapes the recorded traffic carried (interactions, and the client → server pairs that sent them):", "",
              "| shape | interactions | pairs |", "|---|---:|---|"]
    lines += [f"| {md(SHAPES[shape])} | {shapes[shape]} | {md(', '.join(sorted(shape_pairs[shape])))} |"
              for shape in SHAPES]
    if absent:
        lines += ["", "**Shapes no traffic carried (the run fails under --require-shapes):** " + ", ".join(absent)]
    lines.append("")
    lines += ["| client → server | step | interactions | passed | failed | false verdicts | missed catches |",
              "|---|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {row.pair} ({row.wsdl}) | {row.step} | {row.interactions} | {row.passed} | {row.failed} | "
              f"{row.false} | {row.missed} |" for row in rows]
    outcomes = [row for row in rows if row.step.startswith("record") and row.failed]
    if outcomes:
        lines += ["", "## Calls a stack did not answer with `ok` (a stack's failure, not a verdict)", ""]
        lines += [f"- {row.pair} ({row.wsdl}): {row.failed} of {row.interactions}; "
                  + md("; ".join(row.notes[1:4])[:400]) for row in outcomes]
    skipped = collections.Counter()
    for row in rows:
        if row.step.startswith("inject"):
            skipped[row.step] += row.skipped
    if skipped:
        lines += ["", "Interactions an injected change could not be made in (skipped, not counted above): "
                  + "; ".join(f"{step.split(' ', 1)[1]}: {count}" for step, count in sorted(skipped.items())) + "."]
    if grouped:
        lines += ["", "## False verdicts by message", "", "| count | message | pairs |", "|---:|---|---|"]
        lines += [f"| {group['count']} | {md(group['message'])} | {md(', '.join(group['pairs'])[:300])} |"
                  for group in grouped]
    if missed_groups:
        lines += ["", "## Missed catches by message", "", "| count | message |", "|---:|---|"]
        lines += [f"| {count} | {md(key)} |" for key, count in missed_groups.most_common()]
    with open(os.path.join(out, "wsdl-matrix.md"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return result


def md(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def main():
    parser = argparse.ArgumentParser(description="soaptape's WSDL interop matrix")
    parser.add_argument("soaptape")
    parser.add_argument("out")
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--stacks", help="only these stacks, on either side (a shortcut for --clients/--servers)")
    parser.add_argument("--wsdls", help="comma-separated WSDL paths (default: every *.wsdl under specs/)")
    parser.add_argument("--require-shapes", action="store_true",
                        help="fail unless the recorded traffic carried every shape of SHAPES (a run of every stack)")
    parser.add_argument("--jobs", type=int, default=3,
                        help="combinations run at once (default 3: on 2 cores most of a step is waiting on a stack)")
    arguments = parser.parse_args()

    # Children stop on SIGINT and SIGTERM even when this script was started with them blocked or ignored (a test
    # runner's threads may block them): unblocked here, before any thread or child is made, and handled (a handled
    # signal is default again in a child).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    started = time.monotonic()
    out = os.path.abspath(arguments.out)
    os.makedirs(out, exist_ok=True)
    clients = [name for name in arguments.clients.split(",") if name]
    servers = [name for name in arguments.servers.split(",") if name]
    if arguments.stacks:
        chosen = set(arguments.stacks.split(","))
        clients = [name for name in clients if name in chosen]
        servers = [name for name in servers if name in chosen]
    unknown = [name for name in clients if name not in CLIENTS] + [name for name in servers if name not in SERVERS]
    if unknown:
        parser.error(f"unknown stacks: {', '.join(unknown)}")
    wsdls = arguments.wsdls.split(",") if arguments.wsdls else sorted(
        os.path.relpath(path, ROOT) for path in glob.glob(os.path.join(ROOT, "specs", "**", "*.wsdl"), recursive=True))
    problems = check_stacks(clients, servers, out)
    for stack, problem in problems.items():
        print(f"wsdl_matrix: STACK {stack} CANNOT RUN — {problem}", file=sys.stderr)
    clients = [name for name in clients if name not in problems]
    servers = [name for name in servers if name not in problems]

    work = os.path.join(out, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    try:
        soaptape = Soaptape(arguments.soaptape, work)
    except RuntimeError as error:
        print(f"wsdl_matrix: {error}", file=sys.stderr)
        return 2
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, arguments.jobs)) as pool:
            prepared = list(pool.map(lambda wsdl: prepare_wsdl(soaptape, os.path.relpath(os.path.join(ROOT, wsdl), ROOT),
                                                               work), wsdls))
    except (RuntimeError, OSError, ValueError) as error:
        print(f"wsdl_matrix: cannot prepare the WSDLs: {error}", file=sys.stderr)
        return 2
    combos = [{**wsdl, "client": client, "server": server}
              for wsdl in prepared for server in servers for client in clients]
    rows_by_combo = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, arguments.jobs)) as pool:
        futures = {pool.submit(combination, soaptape, combo, work): index for index, combo in enumerate(combos)}
        for future in concurrent.futures.as_completed(futures):
            index = futures[future]
            combo = combos[index]
            try:
                rows_by_combo[index] = future.result()
            except Exception as error:  # noqa: BLE001 — one combination's crash is reported, the others go on
                row = Row(combo, "driver")
                row.could_not_run(f"the driver failed: {type(error).__name__}: {error}")
                rows_by_combo[index] = [row]
            done = rows_by_combo[index]
            print(f"{combo['wsdl_label']} {combo['client']} → {combo['server']}: "
                  f"{sum(r.false for r in done)} false verdicts, {sum(r.missed for r in done)} missed catches "
                  f"({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    rows = [row for index in range(len(combos)) for row in rows_by_combo[index]]
    os.remove(soaptape.binary)  # the run's copy (90 MB); every report it wrote stays under OUT/work
    elapsed = time.monotonic() - started
    result = write_report(out, rows, problems, elapsed, {"clients": clients, "servers": servers},
                          require_shapes=arguments.require_shapes)
    for group in result["false_verdict_groups"]:
        print(f"false verdicts ×{group['count']}: {group['message']}")
    for group in result["missed_catch_groups"]:
        print(f"missed catches ×{group['count']}: {group['message']}")
    print(f"{len(rows)} rows in {elapsed:.0f} s: {result['false_verdicts']} false verdicts, "
          f"{result['missed_catches']} missed catches" + (f"; stacks that could not run: {', '.join(problems)}"
                                                          if problems else ""))
    for item in result["could_not_run"]:
        print(f"could not run: {item['pair']} ({item['wsdl']}) {item['step']}: {item['message'][:300]}")
    for shape, seen in result["shapes"].items():
        print(f"shape {shape}: {seen['interactions']} interactions ({', '.join(seen['pairs']) or 'none'})")
    if result["shapes_missing"]:
        print("shapes no traffic carried: " + ", ".join(result["shapes_missing"]))
    clean = not problems and not result["could_not_run"] and result["false_verdicts"] == 0 \
        and result["missed_catches"] == 0 and not result["shapes_missing"]
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
