"""The WSDL interop matrix's reference client: zeep 4.3 calling every operation of a call plan
(Tests/Interop/plan/wsdl_plan.py) in plan order.

zeep reads the plan's WSDL (the committed file the plan names; the service address is ENDPOINT), deserializes the
plan's `request_xml` and `headers_xml` with its own schema objects, and calls the operation with those values, so
the traffic is zeep's serialization of them (its `soap-env` prefix, `ns0`… declarations, WS-Addressing headers
where the WSDL asks for addressing). It prints one JSON line per operation:

  {"operation": NAME, "outcome": "ok"|"fault"|"error", "result": STRING}

where result is a deterministic rendering of what zeep deserialized (body and header, keys sorted), or the fault
or error. Exit 0 unless it could not run at all.

Usage: python plan_zeep_client.py --plan PLAN.json --endpoint URL [--wsdl-from file|endpoint]
  --wsdl-from endpoint fetches the WSDL from ENDPOINT?wsdl instead (recorded, when the endpoint is soaptape's proxy).
"""
import argparse
import base64
import collections
import datetime
import decimal
import json
import os
import sys

from lxml import etree

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def plain(value):
    """A JSON-ready, deterministic form of a deserialized zeep value."""
    from zeep.helpers import serialize_object
    value = serialize_object(value, dict)
    return _plain(value)


def _plain(value):
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, collections.deque)):  # zeep keeps elements it could not place in a deque
        return [_plain(item) for item in value]
    if isinstance(value, bytes):
        return "base64:" + base64.b64encode(value).decode()
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, etree._Element):
        return etree.tostring(value, method="c14n").decode()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def render(value):
    return json.dumps(plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--wsdl-from", choices=("file", "endpoint"), default="file")
    arguments = parser.parse_args()

    from zeep import Client, Settings
    from zeep.exceptions import Fault
    from zeep.transports import Transport

    with open(arguments.plan, encoding="utf-8") as handle:
        plan = json.load(handle)
    wsdl = plan["wsdl"] if os.path.isabs(plan["wsdl"]) else os.path.join(ROOT, plan["wsdl"])
    if arguments.wsdl_from == "endpoint":
        wsdl = arguments.endpoint + "?wsdl"
    # strict=False: zeep accepts an answer that leaves out a required element (the `dropped` server's), as a
    # lenient client does, instead of refusing to deserialize it.
    client = Client(wsdl, transport=Transport(timeout=30, operation_timeout=30), settings=Settings(strict=False))
    binding = next(iter(client.wsdl.bindings))
    service = client.create_service(binding, arguments.endpoint)
    parser_options = etree.XMLParser(resolve_entities=False, no_network=True)

    for operation in plan["operations"]:
        name = operation["name"]
        try:
            element = client.get_element("{%s}%s" % (operation["input_element"]["ns"], operation["input_element"]["name"]))
            request = element.parse(etree.fromstring(operation["request_xml"].encode(), parser_options), client.wsdl.types)
            values = {key: request[key] for key in request} if request is not None else {}
            headers = {}
            for block, text in zip(operation["headers"], operation["headers_xml"]):
                header_element = client.get_element("{%s}%s" % (block["ns"], block["name"]))
                headers[block["name"]] = header_element.parse(etree.fromstring(text.encode(), parser_options),
                                                              client.wsdl.types)
            result = getattr(service, name)(**values, _soapheaders=headers or None)
            line = {"operation": name, "outcome": "ok", "result": render(result)}
        except Fault as fault:
            line = {"operation": name, "outcome": "fault", "result": f"{fault.code}: {fault.message}"}
        except Exception as error:  # noqa: BLE001 — every other failure is this operation's error, and the run goes on
            line = {"operation": name, "outcome": "error", "result": f"{type(error).__name__}: {error}"}
        print(json.dumps(line, ensure_ascii=False, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
