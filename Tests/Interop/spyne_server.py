"""A SOAP server for soaptape's interop tests: the three seed operations, served by spyne under waitress at
the paths SuperOffice uses (/Remote/ServicesNN/<Agent>.svc), SOAP 1.1, with a Credentials header.

Usage: python spyne_server.py   (binds 127.0.0.1:0, prints "listening on http://127.0.0.1:PORT", serves until killed)
INTEROP_VARIANT=changed answers other values in the same shape; INTEROP_VARIANT=dropped leaves each answer's
Response element out (the interop matrix's injected changes).

Stateful operations modelled on NetServer's, for replay's correlation: SoPrincipal's AuthenticateUsernamePassword
returns a new ticket each time, which Sale's operations require (and check) in their Credentials header; Sale's
SaveSaleEntity assigns ids from a counter (INTEROP_ID_START, default 100) and updates an existing sale, GetSale
reads one, DeleteSaleEntity deletes one; an unknown id or ticket is a SOAP Fault. INTEROP_VARIANT=changed also
answers GetSale with a changed Heading and a new Probability element; INTEROP_VARIANT=dropped without its Response. INTEROP_TICKETS names a file each ticket
issued is appended to (for tests that look for leaks); INTEROP_STALL_AT=N makes the N-th request wait forever,
after printing "stalling" (for tests that kill a client mid-run).

For shadow's tests, one process is one tenant: SoPrincipal and Sale are served as Services86 and Services88 over
the same tickets and sales, as two NetServer versions share a database. INTEROP_VARIANT_VERSIONS=Services88 limits
INTEROP_VARIANT to those versions; INTEROP_NOISE=1 makes GetSale answer a ReadAt timestamp (microseconds) and a
fresh RequestId GUID each call; INTEROP_LOG names a file each SOAP request's path and action are appended to.
"""
import base64
import datetime
import signal
import os
import threading
import uuid

from spyne import Application, Array, Boolean, ComplexModel, DateTime, Double, Fault, Integer, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication
from waitress.server import create_server


ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"


def namespace(version):
    return f"http://www.superoffice.net/ws/crm/NetServer/{version}"


def credentials(version):
    class Credentials(ComplexModel):
        __namespace__ = namespace(version)
        Ticket = Unicode

    return Credentials


FAVOURITES = set()
VARIANT = os.environ.get("INTEROP_VARIANT", "normal")
NOISE = os.environ.get("INTEROP_NOISE") == "1"


def variant(version):
    """The variant a version answers in: INTEROP_VARIANT, unless INTEROP_VARIANT_VERSIONS leaves the version out."""
    limited = os.environ.get("INTEROP_VARIANT_VERSIONS")
    if limited and version not in limited.split(","):
        return "normal"
    return VARIANT


def favourite_service(version):
    class Favourite(ServiceBase):
        __in_header__ = credentials(version)

        # As the Services88 WSDL declares them: ids optional but never nil, strings nillable.
        @rpc(Unicode, Integer(nillable=False), Integer(nillable=False), Unicode, _returns=Boolean, _body_style="wrapped",
             _in_arg_names={"table_name": "TableName", "record_id": "RecordId", "associate_id": "AssociateId",
                            "extra_info": "ExtraInfo"},
             _out_variable_name="Response")
        def ToggleFavourite(ctx, table_name, record_id, associate_id, extra_info):
            key = (table_name, record_id)
            now = key not in FAVOURITES
            if now:
                FAVOURITES.add(key)
            else:
                FAVOURITES.remove(key)
            return None if VARIANT == "dropped" else (not now if VARIANT == "changed" else now)

    return Favourite


def customer_service(version):
    class CsFeatureToggle(ComplexModel):
        __namespace__ = namespace(version)
        Name = Unicode
        State = Boolean

    class CustomerService(ServiceBase):
        __in_header__ = credentials(version)

        @rpc(Array(CsFeatureToggle), _body_style="wrapped", _in_arg_names={"toggles": "FeatureToggles"})
        def UpdateFeatureToggles(ctx, toggles):
            return None

    return CustomerService


def array_of_string():
    """WCF's string[]: an ArrayOfstring whose items are <string> elements in the Serialization/Arrays namespace."""
    array = Array(Unicode, type_name="ArrayOfstring")
    array.__namespace__ = ARRAYS
    return array


def erp_sync_service(version):
    class ErpSync(ServiceBase):
        __in_header__ = credentials(version)

        @rpc(Integer, _returns=array_of_string(), _body_style="wrapped",
             _in_arg_names={"connection_id": "ErpConnectionId"}, _out_variable_name="Response")
        def ToggleErpConnectionActive(ctx, connection_id):
            items = ["Bjørn Ærø", "beta.search", "Zürich – 東京"]
            connection_id = connection_id or 0
            strings = ["No such connection"] if connection_id <= 0 else items[:connection_id - 100] if connection_id > 100 else []
            if VARIANT == "dropped":
                return None
            return [f"changed: {s}" for s in strings] if VARIANT == "changed" else strings

    return ErpSync


TICKETS = set()
SALES = {}
NEXT_ID = [int(os.environ.get("INTEROP_ID_START", "100"))]
USERS = {"interop": os.environ.get("INTEROP_PASSWORD", "")}


def so_principal_service(version):
    class SoPrincipalCarrier(ComplexModel):
        __namespace__ = namespace(version)
        Associate = Unicode
        AssociateId = Integer
        FullName = Unicode

    class SoCredentials(ComplexModel):
        __namespace__ = namespace(version)
        Ticket = Unicode

    class SoPrincipal(ServiceBase):
        @rpc(Unicode, Unicode, _returns=(SoPrincipalCarrier, SoCredentials, Boolean), _body_style="wrapped",
             _in_arg_names={"user_name": "UserName", "password": "Password"},
             _out_variable_names=("Response", "Credentials", "AuthenticationSucceeded"),
             _out_message_name="AuthenticateResponse")
        def AuthenticateUsernamePassword(ctx, user_name, password):
            if user_name not in USERS or (password or "") != USERS[user_name]:
                return SoPrincipalCarrier(Associate="", AssociateId=0, FullName=""), SoCredentials(Ticket=""), False
            ticket = "7T:" + base64.b64encode(os.urandom(18)).decode()
            TICKETS.add(ticket)
            if os.environ.get("INTEROP_TICKETS"):
                with open(os.environ["INTEROP_TICKETS"], "a") as issued:
                    issued.write(ticket + "\n")
            return SoPrincipalCarrier(Associate=user_name.upper(), AssociateId=5, FullName="Interop User"), \
                SoCredentials(Ticket=ticket), True

    return SoPrincipal


def sale_service(version):
    fields = {"__namespace__": namespace(version), "SaleId": Integer, "Heading": Unicode, "Amount": Double}
    SaleEntity = type("SaleEntity", (ComplexModel,), dict(fields))
    VARIANT = variant(version)
    if VARIANT == "changed":
        fields["Probability"] = Integer
    if NOISE:
        fields["ReadAt"] = DateTime
        fields["RequestId"] = Unicode
    Sale = type("Sale", (ComplexModel,), fields)

    def noise():
        if not NOISE:
            return {}
        return {"ReadAt": datetime.datetime.now(datetime.timezone.utc), "RequestId": str(uuid.uuid4())}

    def authorised(ctx):
        header = ctx.in_header
        if header is None or header.Ticket not in TICKETS:
            raise Fault(faultcode="Client.Unauthorized", faultstring="The ticket is missing or not valid.")

    def known(sale_id):
        if sale_id not in SALES:
            raise Fault(faultcode="Client.NotFound", faultstring=f"No sale with id {sale_id}.")
        return SALES[sale_id]

    class SaleAgent(ServiceBase):
        __in_header__ = credentials(version)

        @rpc(SaleEntity, _returns=SaleEntity, _body_style="wrapped", _in_arg_names={"entity": "Entity"},
             _out_variable_name="Response")
        def SaveSaleEntity(ctx, entity):
            authorised(ctx)
            if not entity.SaleId:
                entity.SaleId = NEXT_ID[0]
                NEXT_ID[0] += 1
            else:
                known(entity.SaleId)
            SALES[entity.SaleId] = {"Heading": entity.Heading, "Amount": entity.Amount}
            return SaleEntity(SaleId=entity.SaleId, Heading=entity.Heading, Amount=entity.Amount)

        @rpc(Integer, _returns=Sale, _body_style="wrapped", _in_arg_names={"sale_id": "SaleId"},
             _out_variable_name="Response")
        def GetSale(ctx, sale_id):
            authorised(ctx)
            sale = known(sale_id)
            if VARIANT == "dropped":
                return None
            if VARIANT == "changed":
                return Sale(SaleId=sale_id, Heading=sale["Heading"].upper(), Amount=sale["Amount"], Probability=50,
                            **noise())
            return Sale(SaleId=sale_id, Heading=sale["Heading"], Amount=sale["Amount"], **noise())

        @rpc(Integer, _returns=Boolean, _body_style="wrapped", _in_arg_names={"sale_id": "SaleEntityId"},
             _out_variable_name="Response")
        def DeleteSaleEntity(ctx, sale_id):
            authorised(ctx)
            known(sale_id)
            del SALES[sale_id]
            return True

    return SaleAgent


def application(service, version, name):
    app = Application([service], tns=namespace(version), name=name, in_protocol=Soap11(validator="lxml"),
                      out_protocol=Soap11())
    return WsgiApplication(app)


ROUTES = {
    "/Remote/Services88/Favourite.svc": application(favourite_service("Services88"), "Services88", "Favourite"),
    "/Remote/Services83/CustomerService.svc": application(customer_service("Services83"), "Services83", "CustomerService"),
    "/Remote/Services84/CustomerService.svc": application(customer_service("Services84"), "Services84", "CustomerService"),
    "/Remote/Services86/ErpSync.svc": application(erp_sync_service("Services86"), "Services86", "ErpSync"),
    "/Remote/Services86/CustomerService.svc": application(customer_service("Services86"), "Services86", "CustomerService"),
    "/Remote/Services86/SoPrincipal.svc": application(so_principal_service("Services86"), "Services86", "SoPrincipal"),
    "/Remote/Services86/Sale.svc": application(sale_service("Services86"), "Services86", "Sale"),
    "/Remote/Services88/SoPrincipal.svc": application(so_principal_service("Services88"), "Services88", "SoPrincipal"),
    "/Remote/Services88/Sale.svc": application(sale_service("Services88"), "Services88", "Sale"),
}


def like_wcf(path, body):
    """The WSDL's soapAction made the full action URI, as SuperOffice's WCF services write it (spyne writes the
    bare operation name, and clients send what the WSDL says)."""
    version, agent = path.split("/")[2], path.split("/")[3][: -len(".svc")]
    for operation in ("ToggleFavourite", "UpdateFeatureToggles", "ToggleErpConnectionActive",
                      "AuthenticateUsernamePassword", "SaveSaleEntity", "GetSale", "DeleteSaleEntity"):
        body = body.replace(f'soapAction="{operation}"'.encode(),
                            f'soapAction="{namespace(version)}/{agent}/{operation}"'.encode())
    return body


REQUESTS = [0]
REQUESTS_LOCK = threading.Lock()


def dispatch(environ, start_response):
    with REQUESTS_LOCK:
        REQUESTS[0] += 1
        number = REQUESTS[0]
    if number == int(os.environ.get("INTEROP_STALL_AT", "0")):
        print("stalling", flush=True)
        threading.Event().wait()
    path = environ.get("PATH_INFO", "")
    if os.environ.get("INTEROP_LOG") and environ.get("REQUEST_METHOD") == "POST":
        with REQUESTS_LOCK, open(os.environ["INTEROP_LOG"], "a") as log:
            log.write(f"{path} {environ.get('HTTP_SOAPACTION', '').strip(chr(34))}\n")
    route = ROUTES.get(path)
    if route is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such service\n"]
    captured = {}

    def capture(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers

    body = like_wcf(path, b"".join(route(environ, capture)))
    headers = [(name, str(len(body)) if name.lower() == "content-length" else value)
               for name, value in captured["headers"]]
    start_response(captured["status"], headers)
    return [body]


def main():
    # Stop on SIGTERM and SIGINT even when the parent started us with those signals ignored or blocked
    # (a process inherits both from the thread that spawned it).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    server = create_server(dispatch, host="127.0.0.1", port=0)
    print(f"listening on http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()


if __name__ == "__main__":
    main()
