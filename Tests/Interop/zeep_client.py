"""A zeep client for soaptape's interop tests: calls the seed operations through BASE_URL (the record proxy
or soaptape serve), sending a live-looking ticket in the Credentials header, and prints what it got as JSON.

Usage: python zeep_client.py BASE_URL OPERATION...   (operations: ToggleFavourite UpdateFeatureToggles
                                                       ToggleErpConnectionActive)
"""
import json
import sys

from zeep import Client
from zeep.transports import Transport

TICKET = "7T:zeepLiveTicket0123456789abcdef=="
ENDPOINTS = {
    "ToggleFavourite": ("Services88", "Favourite"),
    "UpdateFeatureToggles": ("Services83", "CustomerService"),
    "ToggleErpConnectionActive": ("Services86", "ErpSync"),
}


def call(base, operation):
    version, agent = ENDPOINTS[operation]
    namespace = f"http://www.superoffice.net/ws/crm/NetServer/{version}"
    address = f"{base}/Remote/{version}/{agent}.svc"
    client = Client(address + "?wsdl", transport=Transport(timeout=10))
    header = client.get_element("{%s}Credentials" % namespace)(Ticket=TICKET)
    # The WSDL names the real server's address; calls go to BASE_URL instead.
    service = client.create_service("{%s}%s" % (namespace, agent), address)
    if operation == "ToggleFavourite":
        return [service.ToggleFavourite(TableName="contact", RecordId=42, AssociateId=7, ExtraInfo="",
                                        _soapheaders=[header]) for _ in range(2)]
    if operation == "UpdateFeatureToggles":
        toggle = client.get_type("{%s}CsFeatureToggle" % namespace)(Name="NewEditor", State=True)
        array = client.get_type("{%s}CsFeatureToggleArray" % namespace)(CsFeatureToggle=[toggle])
        return [service.UpdateFeatureToggles(FeatureToggles=array, _soapheaders=[header])]
    return [service.ToggleErpConnectionActive(ErpConnectionId=3, _soapheaders=[header]),
            service.ToggleErpConnectionActive(ErpConnectionId=0, _soapheaders=[header])]


def main(base, operations):
    results = {}
    for operation in operations:
        results[operation] = [None if value is None else (list(value) if isinstance(value, list) else value)
                              for value in call(base, operation)]
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
