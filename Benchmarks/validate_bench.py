"""Validation benchmark for `make bench`: 1,000 Favourite.GetFavouritesResponse envelopes (SOAP 1.1, as WCF sends
them; 1 to 5 favourites each) validated against SuperOffice's Services88 Favourite WSDL by `soaptape validate`,
next to `xmllint --schema` and lxml's `XMLSchema.validate` on the same payloads, in one run.

xmllint and lxml validate whole documents against an XSD, so they get each envelope's payload element as a file of
its own and the WSDL's three sibling schemas written out as XSD files (with the namespaces they inherit from
wsdl:definitions) under a main schema that imports them; soaptape validates the envelopes themselves (the
envelope's structure, its xsi:types and the payload against the WSDL). Every figure includes starting up and
compiling the schema; soaptape and xmllint are timed as processes, lxml both in-process (its figure) and as a
process (interpreter start-up included).

Usage: python validate_bench.py OUT_DIR SOAPTAPE_BINARY PYTHON_WITH_LXML   (prints JSON lines)
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

COUNT = 1000
RUNS = 3
NS = "http://www.superoffice.net/ws/crm/NetServer/Services88"
WSDL = os.path.join(os.path.dirname(__file__), "..", "specs", "Services88", "Favourite", "Favourite.wsdl")


def payload(seed):
    items = "".join(
        f"<f:Favourite><f:TableName>{'contact' if n % 2 else 'person'}</f:TableName><f:RecordId>{seed * 10 + n}</f:RecordId>"
        f"<f:AssociateId>{7 + n}</f:AssociateId><f:ExtraInfo>from the benchmark</f:ExtraInfo><f:Rank>{n}</f:Rank>"
        "</f:Favourite>"
        for n in range(1, 2 + seed % 5))
    return f'<f:GetFavouritesResponse xmlns:f="{NS}"><f:Response>{items}</f:Response></f:GetFavouritesResponse>'


def write_inputs(work):
    os.makedirs(os.path.join(work, "envelopes"))
    os.makedirs(os.path.join(work, "payloads"))
    for seed in range(1, COUNT + 1):
        body = payload(seed)
        with open(os.path.join(work, "envelopes", f"{seed:04d}.xml"), "w") as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
                      f"<s:Body>{body}</s:Body></s:Envelope>\n")
        with open(os.path.join(work, "payloads", f"{seed:04d}.xml"), "w") as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n")


def write_schemas(work, python):
    """The WSDL's sibling schemas as XSD files, for the anchors (lxml does the lifting)."""
    script = f"""
import lxml.etree as e
XS = "http://www.w3.org/2001/XMLSchema"
tree = e.parse({WSDL!r})
root = tree.getroot()
imports = []
for index, schema in enumerate(root.iter("{{%s}}schema" % XS)):
    nsmap = dict(root.nsmap); nsmap.update(schema.nsmap)
    lifted = e.Element(schema.tag, nsmap=nsmap, attrib=dict(schema.attrib))
    lifted.extend([e.fromstring(e.tostring(child)) for child in schema])
    name = "schema%d.xsd" % index
    e.ElementTree(lifted).write({work!r} + "/" + name)
    imports.append('<xs:import namespace="%s" schemaLocation="%s"/>' % (schema.get("targetNamespace"), name))
open({work!r} + "/main.xsd", "w").write('<xs:schema xmlns:xs="%s">%s</xs:schema>' % (XS, "".join(imports)))
"""
    subprocess.run([python, "-c", script], check=True)


def best(command, **kwargs):
    times = []
    for _ in range(RUNS):
        start = time.monotonic()
        result = subprocess.run(command, capture_output=True, text=True, **kwargs)
        times.append(time.monotonic() - start)
    return min(times), result


def main(out, soaptape, python):
    work = os.path.abspath(tempfile.mkdtemp(prefix="soaptape-validate-bench-", dir=out))
    write_inputs(work)
    write_schemas(work, python)
    envelopes = sorted(glob.glob(os.path.join(work, "envelopes", "*.xml")))
    payloads = sorted(glob.glob(os.path.join(work, "payloads", "*.xml")))
    results = []

    seconds, result = best([soaptape, "validate", os.path.join(work, "envelopes"), "--schema", WSDL])
    results.append({"tool": "soaptape validate", "seconds": seconds, "envelopes_per_s": COUNT / seconds,
                    "exit": result.returncode, "last_line": result.stdout.strip().splitlines()[-1]})

    seconds, result = best(["xmllint", "--noout", "--schema", os.path.join(work, "main.xsd"), *payloads])
    valid = result.stderr.count(" validates")
    results.append({"tool": "xmllint --schema", "seconds": seconds, "envelopes_per_s": COUNT / seconds,
                    "exit": result.returncode, "validated": valid})

    lxml = f"""
import glob, time, lxml.etree as e
start = time.perf_counter()
schema = e.XMLSchema(e.parse({os.path.join(work, "main.xsd")!r}))
valid = sum(1 for path in sorted(glob.glob({os.path.join(work, "payloads", "*.xml")!r})) if schema.validate(e.parse(path)))
print(time.perf_counter() - start, valid)
"""
    times, walls = [], []
    for _ in range(RUNS):
        start = time.monotonic()
        seconds, valid = subprocess.run([python, "-c", lxml], capture_output=True, text=True, check=True).stdout.split()
        walls.append(time.monotonic() - start)
        times.append(float(seconds))
    results.append({"tool": "lxml XMLSchema.validate", "seconds": min(times), "envelopes_per_s": COUNT / min(times),
                    "validated": int(valid), "process_seconds": min(walls),
                    "process_envelopes_per_s": COUNT / min(walls)})
    for entry in results:
        print(json.dumps(entry), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
