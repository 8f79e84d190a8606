// The per-call context of the gSOAP interop client. Included by the generated glue_client.cpp after it has
// defined GProxy; every generated call function is
//     request = gSOAP-read(request_xml); header = gSOAP-read(headers_xml); proxy.<Operation>(url, request, response);
//     result = gSOAP-write(response)
// with the reading, the error handling and the outcome kept here.
#ifndef CLIENT_SUPPORT_H
#define CLIENT_SUPPORT_H

// A SOAP Fault that came back from the server (as opposed to an error of our own side: connection, HTTP, XML).
static bool received_fault(struct soap *s) {
    switch (s->error) {
    case SOAP_FAULT:
    case SOAP_CLI_FAULT:
    case SOAP_SVR_FAULT:
    case SOAP_MUSTUNDERSTAND:
    case SOAP_VERSIONMISMATCH:
    case SOAP_DATAENCODINGUNKNOWN:
        return s->fault != nullptr;
    default:
        return false;
    }
}

struct CallContext {
    GProxy *proxy = nullptr;
    struct soap *ctx = nullptr;  // owns what is read from the plan
    const char *url = nullptr;
    const PlanOp *op = nullptr;
    std::string outcome = "error";
    std::string result;

    // The plan's request into *req with gSOAP's deserializer (read), and the plan's header blocks into the
    // proxy's SOAP_ENV__Header; false (outcome "error") when gSOAP cannot read them.
    template <class F> bool read_request(F read) {
        if (read_xml(ctx, op->body, read)) {
            result = "gSOAP could not read request_xml: " + error_text(ctx);
            return false;
        }
        std::string err;
        struct SOAP_ENV__Header *h = read_header(ctx, op->headers, err);
        if (!h && !op->headers.empty()) {
            result = "gSOAP could not read headers_xml: " + err;
            return false;
        }
        proxy->soap->header = h;
        return true;
    }

    // After the proxy call: gSOAP's serialization of the response (write), the fault string, or the error.
    template <class F> void finish(int rc, F write) {
        if (rc == SOAP_OK) {
            std::string out;
            if (write_xml(ctx, out, write)) {
                outcome = "error";
                result = "gSOAP could not write the response: " + error_text(ctx);
                return;
            }
            outcome = "ok";
            result = out;
        } else if (received_fault(proxy->soap)) {
            outcome = "fault";
            const char **s = soap_faultstring(proxy->soap);
            result = s && *s ? *s : "";
        } else {
            outcome = "error";
            result = error_text(proxy->soap);
        }
    }
};

struct ClientOp {
    const char *name;
    void (*call)(CallContext &);
};

#endif
