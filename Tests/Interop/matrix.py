"""soaptape's interop matrix: real SOAP stacks we did not write, on both sides of every step.

Servers: spyne (Python, under waitress) and PHP's SoapServer (ext/soap, from the committed WCF WSDLs). Clients:
zeep, suds-community, PHP's SoapClient (SOAP 1.1, and SOAP 1.2 against PHP's server). For every client × server
pair, the calls of scenario.py are

  recorded     through `soaptape record` from the server;
  verified     against the specs imported from the reference pages (specs/) and against specs imported from
               the WSDLs (`soaptape import --wsdl`): every interaction must pass, with the same verdict both ways;
  served       by `soaptape serve --strict` to the same client again, which must get what it got live;
  replayed     exactly against a fresh server (every interaction passes); against a server whose answers hold
               other values (exact fails each interaction whose answer holds a value, contract passes all); and
               against a server that drops the answers' Response element (contract fails each such answer).

A failure of correct traffic is a false verdict; an injected change that passes is a missed catch. The counts go
to OUT/matrix.json and OUT/matrix.md.

Usage: python matrix.py SOAPTAPE OUT
"""
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading

import yaml
from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from scenario import CALLS, TICKET  # noqa: E402

WSDLS = ["specs/Services88/Favourite/Favourite.wsdl", "specs/Services86/ErpSync/ErpSync.wsdl",
         "specs/Services86/CustomerService/CustomerService.wsdl"]
ADDRESS = re.compile(r"http://127\.0\.0\.1:\d+")


def _default_signals():
    """A child stops on SIGINT and SIGTERM even when this script was started with them blocked or ignored (a test
    runner's threads may block them, and a child inherits that)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Started:
    """A process that prints the address it bound to; its output is drained so that it never blocks."""

    def __init__(self, argv, env=None):
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                                        env={**os.environ, **(env or {})}, preexec_fn=_default_signals)
        self.lines = []
        self.url = None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace")
            self.lines.append(line)
            found = ADDRESS.search(line)
            if found:
                self.url = found.group(0)
                break
        if self.url is None:
            raise RuntimeError(f"{argv[0]} printed no address: {''.join(self.lines)}")
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for raw in self.process.stdout:
            self.lines.append(raw.decode("utf-8", "replace"))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


STATES = itertools.count(1)


def server(name, variant, work):
    if name == "spyne":
        return Started([sys.executable, os.path.join(HERE, "spyne_server.py")], {"INTEROP_VARIANT": variant})
    state = os.path.join(work, f"php-state-{next(STATES)}.json")  # each PHP request is a new run: state on disk
    return Started(["php", "-S", "127.0.0.1:0", os.path.join(HERE, "php_server.php")],
                   {"INTEROP_VARIANT": variant, "INTEROP_STATE": state})


CLIENTS = {
    "zeep": lambda base: ([sys.executable, os.path.join(HERE, "matrix_clients.py"), "zeep", base], None),
    "zeep-chunked": lambda base: ([sys.executable, os.path.join(HERE, "matrix_clients.py"), "zeep-chunked", base], None),
    "suds": lambda base: ([sys.executable, os.path.join(HERE, "matrix_clients.py"), "suds", base], None),
    "php": lambda base: (["php", os.path.join(HERE, "php_client.php"), base, "1.1"], None),
    "php-soap12": lambda base: (["php", os.path.join(HERE, "php_client.php"), base, "1.2"], None),
}
# spyne serves SOAP 1.1 only.
PAIRS = [(client, server_name) for server_name in ("spyne", "php")
         for client in ("zeep", "zeep-chunked", "suds", "php", "php-soap12")
         if not (client == "php-soap12" and server_name == "spyne")]


def run_client(client, base):
    argv, _ = CLIENTS[client](base)
    stdin = json.dumps({"calls": CALLS, "ticket": TICKET}).encode()
    done = subprocess.run(argv, input=stdin, capture_output=True, cwd=ROOT, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{client} against {base} failed:\n{done.stderr.decode()[-3000:]}")
    return json.loads(done.stdout)


def soaptape(binary, *arguments):
    return subprocess.run([binary, *arguments], capture_output=True, cwd=ROOT, timeout=300)


def report(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def cases(path):
    return [case for suite in report(path)["suites"] for case in suite["cases"]]


def interactions(cassette):
    with open(cassette, encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc and "sequence" in doc]


def payload(interaction):
    """The recorded response's Body payload element, or None for a WSDL or a body that is not SOAP."""
    if interaction["request"]["method"] != "POST":
        return None
    body = interaction["response"].get("body", "")
    root = etree.fromstring(body.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    envelope_body = next((child for child in root if etree.QName(child).localname == "Body"), None)
    return None if envelope_body is None or len(envelope_body) == 0 else envelope_body[0]


def holds_value(interaction):
    element = payload(interaction)
    return element is not None and any((node.text or "").strip() for node in element.iter())


def has_child(interaction):
    element = payload(interaction)
    return element is not None and len(element) > 0


class Row:
    def __init__(self, pair, step):
        self.pair, self.step = pair, step
        self.interactions = self.passed = self.failed = self.false = self.missed = 0
        self.notes = []

    def as_dict(self):
        return {"pair": self.pair, "step": self.step, "interactions": self.interactions, "passed": self.passed,
                "failed": self.failed, "false_verdicts": self.false, "missed_catches": self.missed, "notes": self.notes}


def tally(row, found, should_fail=lambda sequence: False):
    for case in found:
        if case["verdict"] == "skipped":
            continue
        row.interactions += 1
        failed = case["verdict"] in ("failed", "error", "unidentified", "unused")
        row.failed += failed
        row.passed += not failed
        if failed and not should_fail(case["sequence"]):
            row.false += 1
            first = (case.get("differences") or [{}])[0]
            row.notes.append(f"#{case['sequence']} {case['operation']}: {case.get('message')} "
                             f"{first.get('kind', '')} {first.get('path', '')}".strip())
        if not failed and should_fail(case["sequence"]):
            row.missed += 1
            row.notes.append(f"#{case['sequence']} {case['operation']}: the injected change passed")


def matrix(binary, out):
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="soaptape-matrix-")
    wsdl_specs = os.path.join(work, "wsdl-specs")
    for wsdl in WSDLS:
        done = soaptape(binary, "import", "--wsdl", wsdl, "--out", wsdl_specs)
        if done.returncode != 0:
            raise RuntimeError(f"import --wsdl {wsdl}: {done.stderr.decode()}")
    rows = []
    for client, server_name in PAIRS:
        pair = f"{client} → {server_name}"
        tag = f"{client}-{server_name}"
        cassette = os.path.join(work, f"{tag}.yaml")
        live_server = server(server_name, "normal", work)
        recorder = Started([binary, "record", "--upstream", live_server.url, "--cassette", cassette,
                            "--listen", "127.0.0.1:0"])
        try:
            live = run_client(client, recorder.url)
        finally:
            recorder.stop()
            live_server.stop()
        recorded = interactions(cassette)
        by_sequence = {item["sequence"]: item for item in recorded}

        verdicts = {}
        # The WCF WSDLs bind SOAP 1.1 only (BasicHttpBinding), while the reference pages show SOAP 1.2: a SOAP 1.2
        # call conforms to the pages' contract and not to the WSDL's, so there the WSDL specs must fail it.
        soap12 = client.endswith("soap12")
        for step, specs, should_fail in (
            ("verify (page specs)", "specs", lambda sequence: False),
            ("verify (WSDL specs)", wsdl_specs, lambda sequence: soap12),
        ):
            row = Row(pair, step)
            path = os.path.join(work, f"{tag}-verify-{len(verdicts)}.json")
            soaptape(binary, "verify", "--specs", specs, "--require-spec", cassette, "--json", path)
            found = cases(path)
            tally(row, found, should_fail)
            verdicts[step] = [(case["sequence"], case["verdict"]) for case in found]
            rows.append(row)
        if not soap12 and len(set(map(tuple, verdicts.values()))) != 1:
            rows[-1].notes.append("page and WSDL specs disagree: " + json.dumps(verdicts))
            rows[-1].false += 1

        row = Row(pair, "serve → same client")
        path = os.path.join(work, f"{tag}-serve.json")
        mock = Started([binary, "serve", cassette, "--strict", "--json", path, "--listen", "127.0.0.1:0"])
        try:
            served = run_client(client, mock.url)
        except RuntimeError as error:
            served = str(error)
        status = mock.stop()
        tally(row, cases(path))
        unmatched = report(path)["summary"]["unmatched"]
        row.failed += unmatched
        row.false += unmatched
        if served != live:
            row.false += 1
            row.notes.append(f"the client got {served!r} from serve, {live!r} live")
        if status != 0:
            row.notes.append(f"serve exited {status}")
        rows.append(row)

        for variant, mode, should_fail in (
            ("normal", "exact", lambda sequence: False),
            ("changed", "exact", lambda sequence: holds_value(by_sequence[sequence])),
            ("changed", "contract", lambda sequence: False),
            ("dropped", "contract", lambda sequence: has_child(by_sequence[sequence])),
        ):
            target = server(server_name, variant, work)
            path = os.path.join(work, f"{tag}-replay-{variant}-{mode}.json")
            try:
                soaptape(binary, "replay", cassette, "--target", target.url, "--mode", mode, "--set", f"Ticket={TICKET}",
                         "--json", path)
            finally:
                target.stop()
            row = Row(pair, f"replay {mode} → {'same' if variant == 'normal' else variant} server")
            tally(row, cases(path), should_fail)
            rows.append(row)
    result = {"rows": [row.as_dict() for row in rows],
              "false_verdicts": sum(row.false for row in rows), "missed_catches": sum(row.missed for row in rows)}
    with open(os.path.join(out, "matrix.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2, ensure_ascii=False)
    lines = ["| client → server | step | interactions | passed | failed | false verdicts | missed catches |",
             "|---|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {row.pair} | {row.step} | {row.interactions} | {row.passed} | {row.failed} | {row.false} | {row.missed} |"
              for row in rows]
    with open(os.path.join(out, "matrix.md"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    for row in rows:
        for note in row.notes:
            print(f"{row.pair} / {row.step}: {note}")
    print(f"{len(rows)} rows: {result['false_verdicts']} false verdicts, {result['missed_catches']} missed catches")
    return result


if __name__ == "__main__":
    outcome = matrix(sys.argv[1], sys.argv[2])
    sys.exit(0 if outcome["false_verdicts"] == 0 and outcome["missed_catches"] == 0 else 1)
