"""The interop matrix's Python clients: zeep and suds-community, each driven only by the WSDL the server publishes
(`?wsdl`), calling the seed operations the way an ordinary integration does. Each prints what it got as JSON.

Usage: python matrix_clients.py zeep|zeep-chunked|suds BASE_URL   (zeep-chunked: request bodies sent chunked)
"""
import json
import sys

from scenario import CALLS, TICKET, normalise

AGENTS = {"ToggleFavourite": ("Services88", "Favourite"), "ToggleErpConnectionActive": ("Services86", "ErpSync"),
          "UpdateFeatureToggles": ("Services86", "CustomerService")}


def namespace(version):
    return f"http://www.superoffice.net/ws/crm/NetServer/{version}"


class Zeep:
    def __init__(self, base, chunked=False):
        from zeep import Client
        from zeep.transports import Transport

        class ChunkedTransport(Transport):
            """Sends each request body in chunks (Transfer-Encoding: chunked), as streaming clients do."""

            def post(self, address, message, headers):
                return self.session.post(address, data=iter([message[:100], message[100:]]), headers=headers,
                                         timeout=self.operation_timeout)

        self.base, self.services, self.clients = base, {}, {}
        self.Client, self.Transport = Client, ChunkedTransport if chunked else Transport

    def service(self, operation):
        version, agent = AGENTS[operation]
        if agent not in self.services:
            address = f"{self.base}/Remote/{version}/{agent}.svc"
            client = self.Client(address + "?wsdl", transport=self.Transport(timeout=10))
            binding = next(iter(client.wsdl.bindings))
            self.clients[agent] = client
            self.services[agent] = client.create_service(binding, address)
        return self.clients[agent], self.services[agent]

    def call(self, operation, arguments, header):
        client, service = self.service(operation)
        version, _ = AGENTS[operation]
        headers = [client.get_element("{%s}Credentials" % namespace(version))(Ticket=TICKET)] if header else None
        if operation == "UpdateFeatureToggles":
            toggles = arguments["FeatureToggles"]
            arguments = {"FeatureToggles": None if toggles is None else {"CsFeatureToggle": toggles}}
        arguments = {name: value for name, value in arguments.items() if value is not None}
        return getattr(service, operation)(**arguments, _soapheaders=headers)


class Suds:
    def __init__(self, base):
        from suds.client import Client
        self.base, self.clients, self.Client = base, {}, Client

    def client(self, operation):
        version, agent = AGENTS[operation]
        if agent not in self.clients:
            address = f"{self.base}/Remote/{version}/{agent}.svc"
            self.clients[agent] = self.Client(address + "?wsdl", location=address, cache=None, timeout=10)
        return self.clients[agent]

    def call(self, operation, arguments, header):
        client = self.client(operation)
        version, _ = AGENTS[operation]
        if header:
            from suds.sax.element import Element
            credentials = Element("Credentials", ns=("ns0", namespace(version)))
            credentials.append(Element("Ticket", ns=("ns0", namespace(version))).setText(TICKET))
            client.set_options(soapheaders=[credentials])
        else:
            client.set_options(soapheaders=())
        if operation == "UpdateFeatureToggles":
            toggles = arguments["FeatureToggles"]
            arguments = {"FeatureToggles": None if toggles is None else {"CsFeatureToggle": toggles}}
        arguments = {name: value for name, value in arguments.items() if value is not None}
        return getattr(client.service, operation)(**arguments)


def main(kind, base):
    client = {"zeep": Zeep, "zeep-chunked": lambda url: Zeep(url, chunked=True), "suds": Suds}[kind](base)
    results = [normalise(operation, client.call(operation, dict(arguments), header))
               for operation, arguments, header in CALLS]
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
