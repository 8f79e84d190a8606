"""A zeep client that leaves out what a schema makes optional: Services84 CustomerService UpdateFeatureToggles
called through BASE_URL once with FeatureToggles left out (zeep omits a minOccurs="0" element given None) and once
with it sent as xsi:nil (zeep's Nil), each with a ticket. Prints what came back as JSON.

Usage: python zeep_optional_client.py BASE_URL
"""
import json
import sys

from zeep import Client, xsd
from zeep.transports import Transport

NAMESPACE = "http://www.superoffice.net/ws/crm/NetServer/Services84"


def main(base):
    address = f"{base}/Remote/Services84/CustomerService.svc"
    client = Client(address + "?wsdl", transport=Transport(timeout=10))
    header = client.get_element("{%s}Credentials" % NAMESPACE)(Ticket="7T:zeepOptionalTicket0123456789==")
    service = client.create_service("{%s}CustomerService" % NAMESPACE, address)
    results = [service.UpdateFeatureToggles(_soapheaders=[header]),
               service.UpdateFeatureToggles(FeatureToggles=xsd.Nil, _soapheaders=[header])]
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
