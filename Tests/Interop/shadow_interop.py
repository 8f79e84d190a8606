"""soaptape's shadow interop check: `soaptape shadow` (and its CI form, `soaptape replay --candidate`) between real
third-party SOAP software on both sides.

Servers: PHP's SoapServer answering a call plan (Tests/Interop/php_plan_server.php, as the WSDL matrix starts it),
with INTEROP_LOG (every served operation's name, one per line: what reached which server) and INTEROP_NOISE (a
fresh timestamp, GUID and one random string in every answer); a server that holds every request until released
(Tests/Interop/held_server.py). Clients: plan_zeep_client.py (zeep), the SOAP::Lite client and the gSOAP client
when it is built (.build/interop/gsoap/Services84-Favourite), each calling EVERY operation of the Services84
Favourite WSDL at the shadow address. Each scenario ends with SIGINT to soaptape and reads its `--json` report and
exit status:

  1 versions      primary: Services84 Favourite; candidate: Services88 Favourite, with --map-namespace
                  Services84=Services88 --map-path /Services84/=/Services88/. An oracle written here (lxml) compares
                  the two plans' answers (Body and header blocks, namespaces mapped) by path with [n] removed:
                  only in 88 → additive, only in 84 → breaking, a leaf value differing → breaking when the 84 WSDL's
                  type refuses the 88 value (enumeration, built-in lexical form), else value. The report must list
                  exactly those (path, class) per read-only operation, no noise, exit 1 iff breaking/value; the
                  write operations reached the primary once per call and never the candidate.
  2 noise         primary and candidate the same WSDL, both INTEROP_NOISE=1, without and then with a third noisy
                  --secondary: no differences, exactly the noisy leaves' paths as noise, exit 0. Favourite's answers
                  hold no dateTime or guid leaf, so the same runs (with --secondary) on ErpSync's 44 operations too.
  3 changed       candidate with INTEROP_VARIANT=changed: every read-only operation with a leaf value reports
                  `value` differences exactly at the changed leaves (the changed variant stays in enumerations), exit 1.
  4 safe default  from the logs: by default no write reaches the candidate; --shadow '^ToggleFavourite$' sends
                  only that operation; --shadow-all sends every one.
  5 bytes         each operation's raw envelope (http.client) through shadow and straight to the primary: the same
                  status and the same body bytes.
  6 robust        a candidate nothing listens on: every client call gets the primary's answer, the report counts the
                  candidate errors, exit 1; a held candidate: every client call finishes while it is held; with
                  --queue 1 --workers 1 before a held candidate, 1 request at the worker, 1 waiting, the rest dropped
                  and counted.
  7 CI form       scenario 1's session recorded with --cassette, replayed with `soaptape replay --target PRIMARY
                  --candidate CANDIDATE` and the maps: the same (operation, path, class) set as scenario 1.

Prints the markdown table of checks and writes it to OUT/shadow.md (OUT/shadow.json: every check with its
details; OUT/work: plans, logs, reports, cassette). Exit 0 when every check holds, 1 when one does not, 2 when the
run cannot start (a stack missing, no `soaptape shadow`).

Usage: python shadow_interop.py SOAPTAPE OUT
  e.g. .build/interop-venv/bin/python Tests/Interop/shadow_interop.py .build/debug/soaptape /tmp/shadow
"""
import collections
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

from lxml import etree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsdl_matrix as wm  # noqa: E402 — the matrix's process, server and client helpers

HERE, ROOT, PYTHON = wm.HERE, wm.ROOT, wm.PYTHON
XS = wm.XS
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL84 = "specs/Services84/Favourite/Favourite.wsdl"
WSDL88 = "specs/Services88/Favourite/Favourite.wsdl"
WSDL_ERPSYNC = "specs/Services86/ErpSync/ErpSync.wsdl"  # scenario 2 also: its answers hold an xs:dateTime leaf
MAP_NAMESPACE = ("Services84", "Services88")
MAP_PATH = ("/Services84/", "/Services88/")
MAPS = ["--map-namespace", "=".join(MAP_NAMESPACE), "--map-path", "=".join(MAP_PATH)]
READ_ONLY = re.compile(r"^(Get|Find|Search|Is|Has|Can|Exists|Count|List|Check|Validate)")
HELD = [PYTHON, os.path.join(HERE, "held_server.py")]
STOP_TIMEOUT = 300      # seconds soaptape may take to finish its queued shadow work after SIGINT
CLIENT_TIMEOUT = 300    # seconds for one client to call every operation
WAIT_TIMEOUT = 120      # seconds to wait for a printed line (a held request) before calling it missing


# ---------------------------------------------------------------------------------------------------------------
# The results table

class Checks:
    def __init__(self):
        self.rows = []

    def add(self, scenario, check, ok, detail=""):
        self.rows.append({"scenario": scenario, "check": check, "ok": bool(ok), "detail": str(detail)})
        mark = "ok  " if ok else "FAIL"
        print(f"[{mark}] {scenario}: {check}" + (f" — {detail}" if detail and not ok else ""), file=sys.stderr,
              flush=True)
        return ok

    def table(self):
        lines = ["| scenario | check | result | detail |", "|---|---|---|---|"]
        number = re.compile(r"^(\d+) ")
        ordered = sorted(self.rows, key=lambda row: int(number.match(row["scenario"]).group(1))
                         if number.match(row["scenario"]) else 99)  # stable: scenario 1 also checks 4 and 7
        for row in ordered:
            detail = row["detail"] if len(row["detail"]) <= 400 else row["detail"][:400] + " …"
            lines.append(f"| {wm.md(row['scenario'])} | {wm.md(row['check'])} | "
                         f"{'pass' if row['ok'] else '**FAIL**'} | {wm.md(detail)} |")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# The oracle: the answers the two plans describe, compared by path (independent of soaptape)

def answer_envelope(operation, variant):
    """The answer a plan server gives for OPERATION: a SOAP 1.1 Envelope with the plan's response header blocks and
    the variant's response element, parsed by lxml."""
    text = (f'<Envelope xmlns="{SOAP11}"><Header>' + "".join(operation["response_headers_xml"])
            + "</Header><Body>" + operation["response_xml"][variant] + "</Body></Envelope>")
    return etree.fromstring(text.encode("utf-8"), wm.PARSER)


def node_types(element, operation, variant):
    """{element: the plan NODE's type (xsi_type, else declared)} for every element below the Envelope: the plan's
    XML and its NODE trees hold the same elements in the same order."""
    found = {}
    header, body = element[0], element[1]
    nodes = list(operation["response_headers"])
    for block, node in zip(list(header), nodes):
        _pair(block, node, found)
    _pair(body[0], operation["response"][variant], found)
    return found


def _pair(element, node, found):
    if etree.QName(element).localname != node["name"]:
        raise RuntimeError(f"plan XML and NODE disagree: {etree.QName(element).localname} / {node['name']}")
    found[element] = node.get("xsi_type") or node.get("type")
    children = [child for child in element if isinstance(child.tag, str)]
    for child, inner in zip(children, node["children"]):
        _pair(child, inner, found)


class SimpleTypes:
    """The simple types of a WSDL's schemas, read with lxml: what a leaf of a named type may hold."""

    BUILTIN = {
        "int": r"[+-]?\d+", "long": r"[+-]?\d+", "short": r"[+-]?\d+", "byte": r"[+-]?\d+", "integer": r"[+-]?\d+",
        "unsignedInt": r"\+?\d+", "unsignedLong": r"\+?\d+", "unsignedShort": r"\+?\d+", "unsignedByte": r"\+?\d+",
        "boolean": r"true|false|1|0", "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
        "double": r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|-INF|NaN",
        "float": r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|-INF|NaN",
        "dateTime": r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
    }

    def __init__(self, wsdl_path):
        document = etree.parse(os.path.join(ROOT, wsdl_path), wm.PARSER)
        self.simple = {}
        for schema in document.iter(f"{{{XS}}}schema"):
            tns = schema.get("targetNamespace") or ""
            for child in schema.findall(f"{{{XS}}}simpleType"):
                if child.get("name"):
                    self.simple[(tns, child.get("name"))] = child

    @staticmethod
    def _qname(node, text):
        prefix, _, local = text.rpartition(":")
        return node.nsmap.get(prefix or None, ""), local

    def facets(self, type_ref, depth=0):
        """(built-in name or None, enumeration values or None, is a list) of TYPE_REF = (ns, name)."""
        if type_ref is None or depth > 20:
            return None, None, False
        ns, name = type_ref
        if ns == XS:
            return name, None, False
        node = self.simple.get(type_ref)
        return self._facets_of(node, depth) if node is not None else (None, None, False)

    def _facets_of(self, node, depth):
        listed = node.find(f"{{{XS}}}list")
        if listed is not None:
            if listed.get("itemType"):
                builtin, enums, _ = self.facets(self._qname(listed, listed.get("itemType")), depth + 1)
            else:
                builtin, enums, _ = self._facets_of(listed.find(f"{{{XS}}}simpleType"), depth + 1)
            return builtin, enums, True
        restriction = node.find(f"{{{XS}}}restriction")
        if restriction is None:
            return None, None, False
        if restriction.get("base"):
            builtin, enums, is_list = self.facets(self._qname(restriction, restriction.get("base")), depth + 1)
        else:
            inner = restriction.find(f"{{{XS}}}simpleType")
            builtin, enums, is_list = self._facets_of(inner, depth + 1) if inner is not None else (None, None, False)
        own = [item.get("value") for item in restriction.findall(f"{{{XS}}}enumeration")]
        return builtin, (own or enums), is_list

    def allows(self, type_ref, value):
        """Whether the type TYPE_REF (ns, name) allows VALUE: its enumeration, and its built-in's lexical form."""
        builtin, enums, is_list = self.facets(type_ref)
        tokens = value.split() if is_list else [value.strip()]
        if enums is not None and any(token not in enums for token in tokens):
            return False
        pattern = self.BUILTIN.get(builtin or "")
        return pattern is None or all(re.fullmatch(pattern, token) for token in tokens)


def local(element):
    return etree.QName(element).localname


def mapped(namespace, mapping):
    """A candidate namespace as the primary's (the --map-namespace substitution undone)."""
    return namespace.replace(mapping[1], mapping[0]) if mapping else namespace


def expected_differences(primary_op, candidate_op, types, primary_variant="normal", candidate_variant="normal",
                         mapping=None):
    """{(path, class)} between the primary's and the candidate's answers to one operation, by the oracle's rules."""
    primary = answer_envelope(primary_op, primary_variant)
    candidate = answer_envelope(candidate_op, candidate_variant)
    declared = node_types(primary, primary_op, primary_variant)
    found = set()

    def compare(a, b, path):
        a_children = [child for child in a if isinstance(child.tag, str)]
        b_children = [child for child in b if isinstance(child.tag, str)]
        if not a_children and not b_children:
            a_text, b_text = (a.text or "").strip(), (b.text or "").strip()
            if a_text != b_text:
                type_ref = declared.get(a)
                type_ref = (type_ref["ns"], type_ref["name"]) if type_ref else None
                found.add((path, "value" if type_ref is None or types.allows(type_ref, b_text) else "breaking"))
            return
        order, groups_a, groups_b = [], collections.defaultdict(list), collections.defaultdict(list)
        for child in a_children:
            key = (etree.QName(child).namespace or "", local(child))
            if key not in order:
                order.append(key)
            groups_a[key].append(child)
        for child in b_children:
            key = (mapped(etree.QName(child).namespace or "", mapping), local(child))
            if key not in order:
                order.append(key)
            groups_b[key].append(child)
        for key in order:
            items_a, items_b = groups_a.get(key, []), groups_b.get(key, [])
            child_path = f"{path}/{key[1]}"
            for index in range(max(len(items_a), len(items_b))):
                if index >= len(items_a):
                    found.add((child_path, "additive"))
                elif index >= len(items_b):
                    found.add((child_path, "breaking"))
                else:
                    compare(items_a[index], items_b[index], child_path)

    compare(primary, candidate, "/Envelope")
    return found


def noise_paths(operation, variant="normal", strings=True):
    """The paths INTEROP_NOISE makes fresh in every answer to OPERATION ([n] removed): every dateTime and guid leaf,
    and the first xs:string leaf of the Body, else of the header blocks (php_plan_server.php's noisy_string_leaf)."""
    found = set()

    def leaves(node, path):
        path = f"{path}/{node['name']}"
        if not node["children"] and node.get("text") is not None and not node.get("nil"):
            yield node, path
        for child in node["children"]:
            yield from leaves(child, path)

    def kind(node):
        type_ref = node.get("xsi_type") or node.get("type")
        if type_ref is None:
            return None
        if type_ref["ns"] == XS and type_ref["name"] in ("dateTime", "string"):
            return type_ref["name"]
        return "guid" if type_ref["name"] == "guid" else None

    body = list(leaves(operation["response"][variant], "/Envelope/Body"))
    header = [item for block in operation["response_headers"] for item in leaves(block, "/Envelope/Header")]
    for node, path in body + header:
        if kind(node) in ("dateTime", "guid"):
            found.add(path)
    first_string = [path for node, path in body if kind(node) == "string"] or \
        [path for node, path in header if kind(node) == "string"]
    if strings and first_string:
        found.add(first_string[0])
    return found


# ---------------------------------------------------------------------------------------------------------------
# Processes

class Held:
    """held_server.py: its address, the requests it holds (printed lines), release on demand."""

    def __init__(self):
        self.process = wm.popen(HELD, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines, self.url, self.held = [], None, 0
        self.changed = threading.Condition()

        def drain():
            for raw in self.process.stdout:
                line = raw.decode("utf-8", "replace")
                with self.changed:
                    self.lines.append(line)
                    if self.url is None and wm.ADDRESS.search(line):
                        self.url = wm.ADDRESS.search(line).group(0)
                    if line.startswith("held "):
                        self.held += 1
                    self.changed.notify_all()
            with self.changed:
                self.changed.notify_all()

        threading.Thread(target=drain, daemon=True).start()
        if not self.wait(lambda: self.url is not None):
            self.stop()
            raise RuntimeError(f"held_server.py printed no address: {''.join(self.lines)[-1000:]}")

    def wait(self, condition, timeout=WAIT_TIMEOUT):
        with self.changed:
            return self.changed.wait_for(lambda: condition() or self.process.poll() is not None, timeout) \
                and condition()

    def release(self):
        try:
            self.process.stdin.write(b"release\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def stop(self):
        return wm._kill_group(self.process)


def php_server(plan_path, variant="normal", noise=False, log=None):
    env = {"INTEROP_PLAN": plan_path, "INTEROP_VARIANT": variant}
    if noise:
        env["INTEROP_NOISE"] = "1"
    if log:
        open(log, "w").close()
        env["INTEROP_LOG"] = log
    return wm.Started(wm.SERVERS["php"], env=env, what=f"php server ({os.path.basename(plan_path)}, {variant}"
                                                       f"{', noise' if noise else ''})")


def served(log):
    with open(log, encoding="utf-8") as handle:
        return collections.Counter(line.strip() for line in handle if line.strip())


def free_port():
    """A port nothing listens on (bound and closed again; nothing here binds it after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Shadow:
    """One `soaptape shadow` session: started, its address known; stop() sends SIGINT and reads the report."""

    def __init__(self, soaptape, work, name, primary, candidate, secondary=None, extra=()):
        self.name = name
        self.json_path = os.path.join(work, f"{name}.json")
        self.argv = ["shadow", "--primary", primary, "--candidate", candidate] \
            + (["--secondary", secondary] if secondary else []) \
            + ["--listen", "127.0.0.1:0", "--json", self.json_path, *extra]
        with open(os.path.join(work, f"{name}.command"), "w", encoding="utf-8") as handle:
            handle.write("soaptape " + " ".join(self.argv) + "\n")
        self.started = wm.Started([soaptape.binary, *self.argv], what=f"soaptape shadow ({name})")
        self.url = self.started.url
        self.work = work

    def live_report(self):
        request = urllib.request.Request(self.url + "/__soaptape/shadow", headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())

    def stop(self):
        """(exit status, report or None)"""
        code = wm._kill_group(self.started.process, signal.SIGINT, grace=STOP_TIMEOUT)
        with open(os.path.join(self.work, f"{self.name}.log"), "w", encoding="utf-8") as handle:
            handle.write(self.started.output())
        try:
            with open(self.json_path, encoding="utf-8") as handle:
                return code, json.load(handle)
        except (OSError, ValueError):
            return code, None


def run_clients(clients, plan_path, url, endpoint_path):
    """{client: [JSON line, …]} for every client calling every operation at URL + ENDPOINT_PATH."""
    found = {}
    for client in clients:
        code, out, err = wm.run([*wm.CLIENTS[client], "--plan", plan_path, "--endpoint", url + endpoint_path],
                                CLIENT_TIMEOUT)
        lines = []
        for raw in out.decode("utf-8", "replace").splitlines():
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and "operation" in line:
                lines.append(line)
        if code != 0:
            raise RuntimeError(f"the {client} client exited {code}: {err.decode('utf-8', 'replace')[-1500:]}")
        found[client] = lines
    return found


def calls_ok(results, plan, baseline=None):
    """'' when every client called every operation of PLAN with outcome ok (and, given BASELINE, printed the same
    lines as there), else what went wrong."""
    names = [operation["name"] for operation in plan["operations"]]
    problems = []
    for client, lines in results.items():
        if [line["operation"] for line in lines] != names:
            problems.append(f"{client} called {[line['operation'] for line in lines]}")
        for line in lines:
            if line.get("outcome") != "ok":
                problems.append(f"{client} {line['operation']}: {line.get('outcome')} {str(line.get('result'))[:200]}")
        if baseline is not None:
            before = {line["operation"]: line for line in baseline.get(client, [])}
            for line in lines:
                if before.get(line["operation"]) != line:
                    problems.append(f"{client} {line['operation']}: another answer than straight from the primary")
    return "; ".join(problems)


# ---------------------------------------------------------------------------------------------------------------
# Reading a report

def by_name(report):
    return {operation.get("name"): operation for operation in (report or {}).get("operations", [])}


def reported(operation):
    return {(item["path"], item["class"]) for item in (operation or {}).get("differences", [])}


def noise_of(operation):
    return {item["path"] for item in (operation or {}).get("noise", [])}


def set_detail(expected, got):
    missing, extra = sorted(expected - got), sorted(got - expected)
    parts = []
    if missing:
        parts.append("missing " + ", ".join(f"{path} ({kind})" if isinstance(path, str) else str(path)
                                            for path, kind in missing))
    if extra:
        parts.append("extra " + ", ".join(f"{path} ({kind})" if isinstance(path, str) else str(path)
                                          for path, kind in extra))
    return "; ".join(parts)


def check_differences(checks, scenario, report, plan, expected_by_op, label):
    """Every read-only operation's reported (path, class) set equals the oracle's; returns the union reported."""
    operations = by_name(report)
    all_ok, details = True, []
    for operation in plan["operations"]:
        name = operation["name"]
        if not READ_ONLY.match(name):
            continue
        got = reported(operations.get(name))
        expected = expected_by_op.get(name, set())
        if name not in operations:
            all_ok = False
            details.append(f"{name}: not in the report")
        elif got != expected:
            all_ok = False
            details.append(f"{name}: {set_detail(expected, got)}")
    count = sum(len(value) for value in expected_by_op.values())
    checks.add(scenario, label, all_ok, "; ".join(details) if details else f"{count} (path, class) pairs, as the "
               f"oracle says: " + ", ".join(f"{name}: " + ", ".join(f"{path.rsplit('/', 1)[-1]} {kind}"
                                                                    for path, kind in sorted(pairs))
                                            for name, pairs in sorted(expected_by_op.items()) if pairs))


def check_counts(checks, scenario, report, calls):
    """Each reported difference is counted once per request that showed it: CALLS (every client called each
    read-only operation once, and each call showed the same differences)."""
    wrong = sorted(f"{op.get('name')} {item['path']}: {item.get('count')}" for op in (report or {}).get("operations", [])
                   for item in op.get("differences", []) if item.get("count") != calls)
    checks.add(scenario, f"each difference counted once per request ({calls})", not wrong, "; ".join(wrong[:10]))


def write_ops_not_shadowed(checks, scenario, report, plan, clients):
    operations = by_name(report)
    problems = []
    for operation in plan["operations"]:
        name = operation["name"]
        if READ_ONLY.match(name):
            continue
        found = operations.get(name)
        if found and (found.get("shadowed") or found.get("differences")):
            problems.append(f"{name}: shadowed {found.get('shadowed')}, {len(found.get('differences') or [])} "
                            f"differences")
    checks.add(scenario, "the report shadows no write operation", not problems, "; ".join(problems))


# ---------------------------------------------------------------------------------------------------------------
# Scenarios

def raw_envelope(operation):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            f'<s:Envelope xmlns:s="{SOAP11}"><s:Header>' + "".join(operation["headers_xml"])
            + "</s:Header><s:Body>" + operation["request_xml"] + "</s:Body></s:Envelope>").encode("utf-8")


def post(url, path, operation):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request("POST", path, raw_envelope(operation),
                           {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{operation["soap_action"]}"'})
        answer = connection.getresponse()
        return answer.status, answer.read(), answer.getheader("Content-Type")
    finally:
        connection.close()


class Run:
    def __init__(self, soaptape, work, clients, plans, checks):
        self.soaptape, self.work, self.clients, self.checks = soaptape, work, clients, checks
        self.p84, self.p88 = plans
        self.plan84 = self.p84["plan"]
        self.plan88 = self.p88["plan"]
        self.path84 = self.plan84["endpoint_path"]
        self.types84 = SimpleTypes(WSDL84)
        self.read_only = [op["name"] for op in self.plan84["operations"] if READ_ONLY.match(op["name"])]
        self.writes = [op["name"] for op in self.plan84["operations"] if not READ_ONLY.match(op["name"])]
        self.baseline = None
        self.versions_pairs = None

    def stop_server(self, server):
        """Stops a server; one that was no longer running before (it died, or stopped listening) fails a check with
        what it printed: every answer after that was refused, not soaptape's doing."""
        process = server.process
        if process.poll() is not None:
            output = server.output() if hasattr(server, "output") else "".join(server.lines)
            self.checks.add("servers", f"{getattr(server, 'what', 'held_server.py')} ran until the driver stopped it",
                            False, f"exited {process.returncode} early: {output[-800:]}")
        return server.stop()

    def log(self, name):
        return os.path.join(self.work, f"{name}.served.txt")

    def session(self, name, primary, candidate, secondary=None, extra=(), plan_path=None, endpoint_path=None):
        """Starts shadow, runs every client through it; returns (client results, exit status, report, shadow)."""
        shadow = Shadow(self.soaptape, self.work, name, primary, candidate, secondary, extra)
        try:
            results = run_clients(self.clients, plan_path or self.p84["plan_path"], shadow.url,
                                  endpoint_path or self.path84)
        except RuntimeError:
            shadow.stop()
            raise
        code, report = shadow.stop()
        return results, code, report, shadow

    def baseline_calls(self):
        primary = php_server(self.p84["plan_path"])
        try:
            self.baseline = run_clients(self.clients, self.p84["plan_path"], primary.url, self.path84)
        finally:
            self.stop_server(primary)
        problem = calls_ok(self.baseline, self.plan84)
        self.checks.add("0 baseline", f"{', '.join(self.clients)} call all {len(self.plan84['operations'])} "
                        f"operations straight at the primary", not problem, problem)
        return not problem

    def report_ok(self, scenario, code, report):
        return self.checks.add(scenario, "soaptape stopped on SIGINT and wrote its JSON report",
                               report is not None and report.get("format") == 1 and code in (0, 1),
                               f"exit {code}, report {'written' if report else 'missing'}")

    # 1 + 7 ----------------------------------------------------------------------------------------------------
    def versions(self):
        scenario = "1 versions (84 → 88)"
        n = len(self.clients)
        expected = {}
        ops88 = {op["name"]: op for op in self.plan88["operations"]}
        for operation in self.plan84["operations"]:
            if READ_ONLY.match(operation["name"]):
                expected[operation["name"]] = expected_differences(operation, ops88[operation["name"]], self.types84,
                                                                   mapping=MAP_NAMESPACE)
        with open(os.path.join(self.work, "oracle-versions.json"), "w", encoding="utf-8") as handle:
            json.dump({name: sorted(pairs) for name, pairs in expected.items()}, handle, indent=2)
        cassette = os.path.join(self.work, "versions.cassette.yaml")
        primary = php_server(self.p84["plan_path"], log=self.log("versions-primary"))
        candidate = php_server(self.p88["plan_path"], log=self.log("versions-candidate"))
        try:
            shadow = Shadow(self.soaptape, self.work, "versions", primary.url, candidate.url,
                            extra=[*MAPS, "--cassette", cassette])
            try:
                results = run_clients(self.clients, self.p84["plan_path"], shadow.url, self.path84)
                try:
                    live = shadow.live_report()
                    live_ok = live.get("format") == 1 and live.get("command") == "shadow"
                    live_detail = f"format {live.get('format')}, command {live.get('command')}"
                except (OSError, ValueError) as error:
                    live_ok, live_detail = False, f"{type(error).__name__}: {error}"
                try:
                    with urllib.request.urlopen(shadow.url + "/__soaptape/shadow", timeout=60) as answer:
                        kind, page = answer.getheader("Content-Type") or "", answer.read().decode("utf-8", "replace")
                    html_ok = "text/html" in kind and "GetFavourites" in page
                    html_detail = f"{kind}, {len(page)} characters"
                except OSError as error:
                    html_ok, html_detail = False, f"{type(error).__name__}: {error}"
            finally:
                code, report = shadow.stop()
            self.checks.add(scenario, "GET /__soaptape/shadow (Accept: application/json) answers the report so far",
                            live_ok, live_detail)
            self.checks.add(scenario, "GET /__soaptape/shadow answers it as HTML", html_ok, html_detail)
            problem = calls_ok(results, self.plan84, self.baseline)
            self.checks.add(scenario, "every client call got the primary's answer", not problem, problem)
            if self.report_ok(scenario, code, report):
                check_differences(self.checks, scenario, report, self.plan84, expected,
                                  "the report lists exactly the oracle's (path, class) per read-only operation")
                check_counts(self.checks, scenario, report, n)
                noisy = {name: sorted(noise_of(op)) for name, op in by_name(report).items() if noise_of(op)}
                self.checks.add(scenario, "no noise reported", not noisy, noisy)
                failing = any(kind in ("breaking", "value") for pairs in expected.values() for _, kind in pairs)
                self.checks.add(scenario, f"exit status {1 if failing else 0} (breaking/value expected: {failing})",
                                code == (1 if failing else 0), f"exit {code}")
                summary = report.get("summary", {})
                self.checks.add(scenario, "summary: every request counted, the read-only ones shadowed, "
                                "no candidate errors",
                                summary.get("requests") == n * len(self.plan84["operations"])
                                and summary.get("shadowed") == n * len(self.read_only)
                                and summary.get("candidate_errors") == 0,
                                {key: summary.get(key) for key in ("requests", "shadowed", "not_shadowed",
                                                                   "candidate_errors")})
                write_ops_not_shadowed(self.checks, scenario, report, self.plan84, self.clients)
                self.versions_pairs = {(name, path, kind) for name, op in by_name(report).items()
                                       for path, kind in reported(op)}
            candidate_log = served(self.log("versions-candidate"))
            primary_log = served(self.log("versions-primary"))
            wrong = sorted(name for name in candidate_log if not READ_ONLY.match(name))
            self.checks.add(scenario, "no write operation reached the candidate (its log)", not wrong,
                            f"candidate served {dict(candidate_log)}")
            want = {name: n for name in self.writes}
            got = {name: primary_log.get(name, 0) for name in self.writes}
            self.checks.add(scenario, "every write reached the primary exactly once per client call (its log)",
                            got == want, f"primary served {dict(primary_log)}")
            want_ro = {name: n for name in self.read_only}
            got_ro = {name: candidate_log.get(name, 0) for name in self.read_only}
            self.checks.add(scenario, "every read-only call reached the candidate once (its log)", got_ro == want_ro,
                            f"candidate served {dict(candidate_log)}")
            self.safe_default_from(candidate_log)
            self.ci_form(primary.url, candidate.url, cassette, expected)
        finally:
            self.stop_server(primary)
            self.stop_server(candidate)

    def safe_default_from(self, candidate_log):
        scenario = "4 safe by default"
        wrong = sorted(name for name in candidate_log if not READ_ONLY.match(name))
        self.checks.add(scenario, "default: no write reached the candidate (scenario 1's candidate log)",
                        not wrong and set(candidate_log) == set(self.read_only), f"candidate served {dict(candidate_log)}")

    def ci_form(self, primary, candidate, cassette, expected):
        scenario = "7 CI form (replay --candidate)"
        if not os.path.exists(cassette):
            self.checks.add(scenario, "scenario 1 wrote its --cassette", False, "no cassette")
            return
        out = os.path.join(self.work, "replay-candidate.json")
        code, stdout, err = self.soaptape("replay", cassette, "--target", primary, "--candidate", candidate, *MAPS,
                                          *wm.secrets_of(self.plan84), "--format", "json", "--json", out)
        with open(os.path.join(self.work, "replay-candidate.log"), "wb") as handle:
            handle.write(stdout + b"\n--- stderr\n" + err)
        try:
            with open(out, encoding="utf-8") as handle:
                report = json.load(handle)
        except (OSError, ValueError):
            report = None
        self.checks.add(scenario, "replay CASSETTE --target --candidate wrote its JSON report (command replay)",
                        report is not None and report.get("command") == "replay",
                        f"exit {code}: {err.decode('utf-8', 'replace')[-500:]}")
        if report is None:
            return
        check_differences(self.checks, scenario, report, self.plan84, expected,
                          "the report lists exactly the oracle's (path, class) per read-only operation")
        pairs = {(name, path, kind) for name, op in by_name(report).items() for path, kind in reported(op)}
        if self.versions_pairs is not None:
            self.checks.add(scenario, "the same (operation, path, class) set as scenario 1's shadow session",
                            pairs == self.versions_pairs, set_detail(
                                {(f"{a}: {b}", c) for a, b, c in self.versions_pairs},
                                {(f"{a}: {b}", c) for a, b, c in pairs}))
        failing = any(kind in ("breaking", "value") for pairs in expected.values() for _, kind in pairs)
        self.checks.add(scenario, f"exit status {1 if failing else 0}", code == (1 if failing else 0), f"exit {code}")

    # 2 ----------------------------------------------------------------------------------------------------------
    def noise(self):
        scenario = "2 noise"
        erp = prepare(self.work, WSDL_ERPSYNC)
        for plan_entry, runs in ((self.p84, (None, "secondary")), (erp, ("secondary",))):
            plan = plan_entry["plan"]
            wsdl = wm.wsdl_label(plan["wsdl"])
            expected = {op["name"]: noise_paths(op) for op in plan["operations"] if READ_ONLY.match(op["name"])}
            primary = php_server(plan_entry["plan_path"], noise=True)
            candidate = php_server(plan_entry["plan_path"], noise=True)
            secondary = php_server(plan_entry["plan_path"], noise=True)
            try:
                for third in runs:
                    label = f"{wsdl} " + ("with a noisy --secondary" if third else "without --secondary")
                    results, code, report, _ = self.session(
                        f"noise-{wsdl.replace('/', '-')}-{third or 'primary-twice'}", primary.url, candidate.url,
                        secondary.url if third else None, plan_path=plan_entry["plan_path"],
                        endpoint_path=plan["endpoint_path"])
                    problem = calls_ok(results, plan)
                    self.checks.add(scenario, f"{label}: every client call succeeded", not problem, problem)
                    if not self.report_ok(f"{scenario} ({label})", code, report):
                        continue
                    operations = by_name(report)
                    differing = {name: sorted(reported(op)) for name, op in operations.items() if reported(op)}
                    self.checks.add(scenario, f"{label}: no differences", not differing, differing)
                    wrong = {name: set_detail({(path, "noise") for path in paths},
                                              {(path, "noise") for path in noise_of(operations.get(name))})
                             for name, paths in expected.items() if noise_of(operations.get(name)) != paths}
                    dated = sorted(path for op in plan["operations"] if READ_ONLY.match(op["name"])
                                   for path in noise_paths(op, strings=False))
                    self.checks.add(scenario, f"{label}: exactly the noisy leaves' paths listed as noise "
                                    f"({sum(map(len, expected.values()))} paths in {len(expected)} read-only "
                                    f"operations)", not wrong,
                                    wrong if wrong else "e.g. " + "; ".join(f"{name}: {', '.join(sorted(paths))}"
                                                                            for name, paths in
                                                                            sorted(expected.items())[:3])
                                    + (f"; the dateTime/guid leaves: {', '.join(dated)}" if dated else ""))
                    n = len(self.clients)
                    counts = {f"{name} {item['path']}": (item.get("count"), item.get("candidate_count"))
                              for name, op in operations.items() for item in op.get("noise", [])}
                    summary = report.get("summary", {})
                    self.checks.add(scenario, f"{label}: each noise path seen in every request ({n}), on the "
                                    f"candidate too; every shadowed request counted noise only",
                                    all(value == (n, n) for value in counts.values())
                                    and summary.get("noise_only") == summary.get("shadowed") == n * len(expected),
                                    f"noise_only {summary.get('noise_only')}, shadowed {summary.get('shadowed')}; "
                                    + ", ".join(f"{key}: {value}" for key, value in counts.items()
                                                if value != (n, n))[:600])
                    self.checks.add(scenario, f"{label}: exit 0", code == 0, f"exit {code}")
            finally:
                self.stop_server(primary)
                self.stop_server(candidate)
                self.stop_server(secondary)

    # 3 ----------------------------------------------------------------------------------------------------------
    def changed(self):
        scenario = "3 changed values"
        expected = {op["name"]: expected_differences(op, op, self.types84, "normal", "changed")
                    for op in self.plan84["operations"] if READ_ONLY.match(op["name"])}
        with_value = {name for name, op in ((op["name"], op) for op in self.plan84["operations"])
                      if name in expected and wm.holds_value({"request": {"method": "POST"},
                                                              "response": {"body": answer_text(op)}})}
        self.checks.add(scenario, "oracle: every read-only operation with a leaf value has value differences, "
                        "none breaking", all(expected[name] and all(kind == "value" for _, kind in expected[name])
                                             for name in with_value),
                        {name: sorted(pairs) for name, pairs in expected.items()})
        primary = php_server(self.p84["plan_path"])
        candidate = php_server(self.p84["plan_path"], "changed")
        try:
            results, code, report, _ = self.session("changed", primary.url, candidate.url)
        finally:
            self.stop_server(primary)
            self.stop_server(candidate)
        problem = calls_ok(results, self.plan84, self.baseline)
        self.checks.add(scenario, "every client call got the primary's answer", not problem, problem)
        if self.report_ok(scenario, code, report):
            check_differences(self.checks, scenario, report, self.plan84, expected,
                              "`value` differences exactly at the changed leaves")
            check_counts(self.checks, scenario, report, len(self.clients))
            self.checks.add(scenario, "exit 1", code == 1, f"exit {code}")

    # 4 ----------------------------------------------------------------------------------------------------------
    def shadow_options(self):
        scenario = "4 safe by default"
        n = len(self.clients)
        names = [op["name"] for op in self.plan84["operations"]]
        for label, extra, sent in (("--shadow '^ToggleFavourite$'", ["--shadow", "^ToggleFavourite$"],
                                    ["ToggleFavourite"]),
                                   ("--shadow-all", ["--shadow-all"], names)):
            tag = "shadow-toggle" if "--shadow" in extra else "shadow-all"
            primary = php_server(self.p84["plan_path"], log=self.log(f"{tag}-primary"))
            candidate = php_server(self.p84["plan_path"], log=self.log(f"{tag}-candidate"))
            try:
                results, code, report, _ = self.session(tag, primary.url, candidate.url, extra=extra)
            finally:
                self.stop_server(primary)
                self.stop_server(candidate)
            problem = calls_ok(results, self.plan84, self.baseline)
            self.checks.add(scenario, f"{label}: every client call got the primary's answer", not problem, problem)
            candidate_log = served(self.log(f"{tag}-candidate"))
            self.checks.add(scenario, f"{label}: the candidate served exactly {', '.join(sent) if len(sent) < 3 else 'every operation'}"
                            f" (once per client call)", candidate_log == collections.Counter({name: n for name in sent}),
                            f"candidate served {dict(candidate_log)}")
            if self.report_ok(f"{scenario} ({label})", code, report):
                differing = {name: sorted(reported(op)) for name, op in by_name(report).items() if reported(op)}
                self.checks.add(scenario, f"{label}: no differences (the same server on both sides), exit 0",
                                not differing and code == 0, f"exit {code}; {differing}")

    # 5 ----------------------------------------------------------------------------------------------------------
    def byte_identical(self):
        scenario = "5 byte-identical answers"
        primary = php_server(self.p84["plan_path"])
        candidate = php_server(self.p84["plan_path"])
        try:
            shadow = Shadow(self.soaptape, self.work, "bytes", primary.url, candidate.url)
            problems, types = [], []
            try:
                for operation in self.plan84["operations"]:
                    direct = post(primary.url, self.path84, operation)
                    through = post(shadow.url, self.path84, operation)
                    if direct[:2] != through[:2]:
                        problems.append(f"{operation['name']}: direct {direct[0]} {len(direct[1])} bytes, through "
                                        f"shadow {through[0]} {len(through[1])} bytes")
                    if direct[2] != through[2]:
                        types.append(f"{operation['name']}: {direct[2]!r} / {through[2]!r}")
            finally:
                code, report = shadow.stop()
        finally:
            self.stop_server(primary)
            self.stop_server(candidate)
        self.checks.add(scenario, f"all {len(self.plan84['operations'])} operations: same status and body bytes "
                        f"through shadow as straight from the primary", not problems, "; ".join(problems))
        self.checks.add(scenario, "the same Content-Type header", not types, "; ".join(types))
        if self.report_ok(scenario, code, report):
            self.checks.add(scenario, "exit 0 (the same server on both sides)", code == 0, f"exit {code}")

    # 6 ----------------------------------------------------------------------------------------------------------
    def robust(self):
        scenario = "6 robust"
        n = len(self.clients)
        primary = php_server(self.p84["plan_path"])
        try:
            dead = f"http://127.0.0.1:{free_port()}"
            results, code, report, _ = self.session("dead-candidate", primary.url, dead)
            problem = calls_ok(results, self.plan84, self.baseline)
            self.checks.add(scenario, "candidate nobody listens on: every client call got the primary's answer",
                            not problem, problem)
            if self.report_ok(f"{scenario} (dead candidate)", code, report):
                errors = report.get("summary", {}).get("candidate_errors")
                self.checks.add(scenario, f"dead candidate: the report counts {n * len(self.read_only)} candidate "
                                f"errors (every shadowed call)", errors == n * len(self.read_only),
                                f"candidate_errors {errors}")
                self.checks.add(scenario, "dead candidate: exit 1", code == 1, f"exit {code}")

            held = Held()
            try:
                shadow = Shadow(self.soaptape, self.work, "held-candidate", primary.url, held.url)
                try:
                    results = run_clients(self.clients, self.p84["plan_path"], shadow.url, self.path84)
                    still_held = held.process.poll() is None and \
                        not any(line.startswith("released") for line in held.lines)
                    problem = calls_ok(results, self.plan84, self.baseline)
                    self.checks.add(scenario, "held candidate: every client call finished, with the primary's "
                                    "answer, while the candidate was held", not problem and still_held,
                                    problem or f"candidate still held: {still_held}")
                    want = n * len(self.read_only)
                    arrived = held.wait(lambda: held.held >= want)
                    self.checks.add(scenario, f"held candidate: the {want} shadowed requests reached it and were "
                                    f"held", arrived, f"{held.held} held")
                finally:
                    held.release()
                    code, report = shadow.stop()
                self.checks.add(scenario, "held candidate: released, soaptape stopped on SIGINT with its report",
                                report is not None and code in (0, 1), f"exit {code}")
            finally:
                self.stop_server(held)
            self.full_queue(primary)
        finally:
            self.stop_server(primary)


    def full_queue(self, primary):
        """--queue 1 --workers 1 before a held candidate: the worker holds the first shadowed request, one more
        waits, every later one is dropped and counted; the clients notice nothing."""
        scenario = "6 robust"
        want = len(self.clients) * len(self.read_only)
        held = Held()
        try:
            shadow = Shadow(self.soaptape, self.work, "full-queue", primary.url, held.url,
                            extra=["--queue", "1", "--workers", "1", "--timeout", "600"])
            try:
                results = run_clients(self.clients, self.p84["plan_path"], shadow.url, self.path84)
                problem = calls_ok(results, self.plan84, self.baseline)
                self.checks.add(scenario, "--queue 1 --workers 1, held candidate: every client call got the "
                                "primary's answer", not problem, problem)
                reached = held.wait(lambda: held.held >= 1)
                live = shadow.live_report().get("summary", {})
            finally:
                held.release()
                code, report = shadow.stop()
            summary = (report or {}).get("summary", {})
            self.checks.add(scenario, f"--queue 1 --workers 1, held candidate: 1 request at the worker, 1 waiting, "
                            f"the other {want - 2} of {want} dropped and counted",
                            reached and held.held == 1 and live.get("dropped") == want - 2
                            and summary.get("shadowed") == 2 and summary.get("dropped") == want - 2,
                            f"while held: {held.held} at the candidate, live report pending {live.get('pending')}, "
                            f"dropped {live.get('dropped')}; after release: shadowed {summary.get('shadowed')}, "
                            f"dropped {summary.get('dropped')}")
        finally:
            self.stop_server(held)


def answer_text(operation):
    return (f'<Envelope xmlns="{SOAP11}"><Header>' + "".join(operation["response_headers_xml"])
            + "</Header><Body>" + operation["response_xml"]["normal"] + "</Body></Envelope>")


# ---------------------------------------------------------------------------------------------------------------

def available_clients(out):
    """zeep and SOAP::Lite (required), gSOAP when its Services84 Favourite client is built; (clients, problems)."""
    clients, problems, notes = [], {}, []
    code, _, err = wm.run([PYTHON, "-c", "import zeep, lxml"], 120)
    if code == 0:
        clients.append("zeep")
    else:
        problems["zeep"] = f"the interop venv lacks zeep: {err.decode()[-300:]}"
    code, out_text, err = wm.run([wm.BUILDS["perl"]], 600)
    with open(os.path.join(out, "build-perl.log"), "wb") as handle:
        handle.write(out_text + err)
    if code == 0:
        clients.append("perl")
    else:
        problems["perl"] = f"Tests/Interop/perl/build exited {code}: {(out_text + err).decode()[-500:]}"
    built = os.path.join(ROOT, ".build", "interop", "gsoap", "Services84-Favourite", "client")
    if os.access(built, os.X_OK) and shutil.which("soapcpp2"):
        code, out_text, err = wm.run([wm.BUILDS["gsoap"], "--quiet", WSDL84], 1800)
        if code == 0:
            clients.append("gsoap")
        else:
            notes.append(f"gsoap left out: its build exited {code}")
    else:
        notes.append("gsoap left out: not built under .build/interop/gsoap (scripts/interop.sh builds it first)")
    return clients, problems, notes


def prepare(work, wsdl):
    tag = wm.wsdl_label(wsdl).replace("/", "-")
    plan_path = os.path.join(work, f"plan-{tag}.json")
    code, out, err = wm.run([PYTHON, os.path.join(HERE, "plan", "wsdl_plan.py"), wsdl], 600)
    if code != 0:
        raise RuntimeError(f"wsdl_plan.py {wsdl} exited {code}: {err.decode()[-2000:]}")
    with open(plan_path, "wb") as handle:
        handle.write(out)
    return {"plan_path": plan_path, "plan": json.loads(out)}


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("Usage:")[1].strip(), file=sys.stderr)
        return 2
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGTERM, wm._on_signal)
    signal.signal(signal.SIGINT, wm._on_signal)
    started = time.monotonic()
    out = os.path.abspath(sys.argv[2])
    work = os.path.join(out, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    if not shutil.which("php"):
        print("shadow_interop: php with ext/soap is missing (apt-get install -y php-cli php-soap)", file=sys.stderr)
        return 2
    try:
        soaptape = wm.Soaptape(sys.argv[1], work)
    except RuntimeError as error:
        print(f"shadow_interop: {error}", file=sys.stderr)
        return 2
    code, text, err = soaptape("shadow", "--help", timeout=60)
    if code != 0 or b"--candidate" not in text + err:
        print(f"shadow_interop: {sys.argv[1]} has no `shadow` command (`soaptape shadow --help` exited {code})",
              file=sys.stderr)
        return 2
    clients, problems, notes = available_clients(out)
    for stack, problem in problems.items():
        print(f"shadow_interop: STACK {stack} CANNOT RUN — {problem}", file=sys.stderr)
    if problems or len(clients) < 2:
        return 2
    for note in notes:
        print(f"shadow_interop: {note}", file=sys.stderr)
    try:
        plans = prepare(work, WSDL84), prepare(work, WSDL88)
    except RuntimeError as error:
        print(f"shadow_interop: cannot make the plans: {error}", file=sys.stderr)
        return 2

    checks = Checks()
    run = Run(soaptape, work, clients, plans, checks)
    if run.baseline_calls():
        for scenario in (run.versions, run.noise, run.changed, run.shadow_options, run.byte_identical, run.robust):
            try:
                scenario()
            except Exception as error:  # noqa: BLE001 — one scenario's crash is a failed check; the others go on
                checks.add(scenario.__name__, "the scenario ran to its end", False,
                           f"{type(error).__name__}: {error}")
    os.remove(soaptape.binary)  # the run's copy; every report stays under OUT/work
    elapsed = time.monotonic() - started
    failed = [row for row in checks.rows if not row["ok"]]
    header = (f"# Shadow interop check\n\n{len(checks.rows)} checks in {elapsed:.0f} s, **{len(failed)} failed**. "
              f"Clients: {', '.join(clients)}; servers: PHP SoapServer (php_plan_server.php), held_server.py."
              + ("".join(f" {note}." for note in notes)) + "\n\n")
    table = header + checks.table() + "\n"
    with open(os.path.join(out, "shadow.md"), "w", encoding="utf-8") as handle:
        handle.write(table)
    with open(os.path.join(out, "shadow.json"), "w", encoding="utf-8") as handle:
        json.dump({"clients": clients, "notes": notes, "seconds": round(elapsed, 1), "checks": checks.rows}, handle,
                  indent=2, ensure_ascii=False)
    print(table)
    for row in failed:
        print(f"FAILED: {row['scenario']}: {row['check']}: {row['detail'][:1500]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
