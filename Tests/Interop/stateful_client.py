"""A zeep client for replay's correlation tests: a NetServer-like stateful session through BASE_URL — log in
(SoPrincipal), create two sales, read both, update one, read it, delete both (Sale), each Sale call with the ticket
the login returned — and prints what it got as JSON.

Usage: python stateful_client.py BASE_URL [VERSION]   (VERSION: Services88, the default, or Services86)
"""
import json
import sys

from zeep import Client
from zeep.helpers import serialize_object
from zeep.transports import Transport

VERSION = sys.argv[2] if len(sys.argv) > 2 else "Services88"
NAMESPACE = f"http://www.superoffice.net/ws/crm/NetServer/{VERSION}"


def service(base, agent):
    address = f"{base}/Remote/{VERSION}/{agent}.svc"
    client = Client(address + "?wsdl", transport=Transport(timeout=10))
    return client, client.create_service(next(iter(client.wsdl.bindings)), address)


def main(base):
    _, principal = service(base, "SoPrincipal")
    login = principal.AuthenticateUsernamePassword(UserName="interop", Password="")
    sale_client, sales = service(base, "Sale")
    header = [sale_client.get_element("{%s}Credentials" % NAMESPACE)(Ticket=login.Credentials.Ticket)]
    entity = sale_client.get_type("{%s}SaleEntity" % NAMESPACE)
    first = sales.SaveSaleEntity(Entity=entity(SaleId=0, Heading="Ørsted wind farm", Amount=1500.5), _soapheaders=header)
    second = sales.SaveSaleEntity(Entity=entity(SaleId=0, Heading="Zürich office", Amount=99.0), _soapheaders=header)
    read = [sales.GetSale(SaleId=sale.SaleId, _soapheaders=header) for sale in (first, second)]
    sales.SaveSaleEntity(Entity=entity(SaleId=first.SaleId, Heading="Ørsted wind farm, phase 2", Amount=2500.0),
                         _soapheaders=header)
    reread = sales.GetSale(SaleId=first.SaleId, _soapheaders=header)
    deleted = [sales.DeleteSaleEntity(SaleEntityId=sale.SaleId, _soapheaders=header) for sale in (first, second)]
    result = {"authenticated": login.AuthenticationSucceeded,
              "ids": [first.SaleId, second.SaleId],
              "headings": [sale.Heading for sale in read] + [reread.Heading],
              "deleted": deleted}
    print(json.dumps(serialize_object(result), sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
