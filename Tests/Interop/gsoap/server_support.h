// Support of the gSOAP interop server. Included by the generated glue_server.cpp before the service class, whose
// every operation is
//     response = gSOAP-read(response_xml[variant]); SOAP Header = gSOAP-read(response_headers_xml); return SOAP_OK
// and gSOAP serializes the answer.
#ifndef SERVER_SUPPORT_H
#define SERVER_SUPPORT_H

#include <algorithm>
#include <cctype>
#include <fstream>

static Plan g_plan;
static std::string g_wsdl_text;
static int g_port;

// Answers operation `name` from the plan: read() fills the response object from ctx, the response header blocks
// become the SOAP Header of the answer. A missing operation or unreadable XML is answered with a SOAP Fault.
template <class F> static int server_answer(struct soap *soap, struct soap *ctx, const char *name, F read) {
    soap_destroy(ctx);  // what the previous answer on this connection used; it has been sent
    soap_end(ctx);
    soap->header = nullptr;
    const PlanOp *op = g_plan.find(name);
    if (!op) {
        std::string msg = std::string("gSOAP interop server: operation ") + name + " is not in the plan";
        return soap_sender_fault(soap, soap_strdup(soap, msg.c_str()), nullptr);
    }
    if (read_xml(ctx, op->body, read)) {
        std::string msg = std::string("gSOAP interop server: could not read response_xml of ") + name + ": " +
                          error_text(ctx);
        return soap_receiver_fault(soap, soap_strdup(soap, msg.c_str()), nullptr);
    }
    std::string err;
    struct SOAP_ENV__Header *h = read_header(ctx, op->headers, err);
    if (!h && !op->headers.empty()) {
        std::string msg = std::string("gSOAP interop server: could not read response_headers_xml of ") + name +
                          ": " + err;
        return soap_receiver_fault(soap, soap_strdup(soap, msg.c_str()), nullptr);
    }
    soap->header = h;
    return SOAP_OK;
}

// Whether a request path (query left out) is the plan's endpoint path.
static bool serves_path(const char *path) {
    std::string p = path ? path : "";
    return p.substr(0, p.find('?')) == g_plan.endpoint_path;
}

// The WSDL with every <…:address location="…"> pointed at `address`.
static std::string wsdl_pointed_at(const std::string &wsdl, const std::string &address) {
    static const std::string attr = ":address location=\"";
    std::string out;
    size_t from = 0;
    for (;;) {
        size_t at = wsdl.find(attr, from);
        if (at == std::string::npos)
            break;
        size_t value = at + attr.size();
        size_t end = wsdl.find('"', value);
        if (end == std::string::npos)
            break;
        out.append(wsdl, from, value - from);
        out += address;
        from = end;
    }
    out.append(wsdl, from, std::string::npos);
    return out;
}

// gSOAP's fget callback: GET <endpoint_path>?wsdl answers the WSDL, its soap:address pointed at this server as
// the client addressed it (the Host header).
static int http_get(struct soap *soap) {
    std::string path = soap->path;
    size_t q = path.find('?');
    std::string query = q == std::string::npos ? "" : path.substr(q + 1);
    std::transform(query.begin(), query.end(), query.begin(), [](unsigned char c) { return (char)std::tolower(c); });
    if (!serves_path(soap->path) || (query != "wsdl" && query != "singlewsdl"))
        return 404;
    // gSOAP keeps the request's Host header as soap->endpoint ("http://" + Host); soap->host is the peer.
    std::string host = "127.0.0.1:" + std::to_string(g_port);
    std::string endpoint = soap->endpoint;
    if (endpoint.compare(0, 7, "http://") == 0 && endpoint.size() > 7)
        host = endpoint.substr(7, endpoint.find('/', 7) - 7);
    std::string body = wsdl_pointed_at(g_wsdl_text, "http://" + host + g_plan.endpoint_path);
    soap_mode omode = soap->omode;
    soap->omode = (soap->omode & ~SOAP_IO) | SOAP_IO_STORE;  // buffered: the answer gets a Content-Length
    soap->http_content = "text/xml; charset=utf-8";
    int failed = soap_response(soap, SOAP_FILE) || soap_send_raw(soap, body.data(), body.size()) || soap_end_send(soap);
    soap->omode = omode;
    soap->http_content = nullptr;
    return failed ? soap->error : SOAP_OK;
}

#endif
