// Shared helpers of the gSOAP interop client and server (soaptape's interop matrix).
//
// Included by the per-WSDL translation units that gen_glue.py writes (glue_client.cpp, glue_server.cpp) after
// the soapcpp2 headers and the namespace table, so everything here is static to one binary. The plan arrives on
// stdin as a "feed" written by plan_feed.py (records "KEY LENGTH\n" + LENGTH bytes + "\n"), so no JSON parser is
// needed here; the JSON lines the client prints are written by json_string().
#ifndef INTEROP_COMMON_H
#define INTEROP_COMMON_H

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

struct PlanOp {
    std::string name;
    std::string body;                  // client: request_xml; server: response_xml[variant]
    std::vector<std::string> headers;  // client: headers_xml; server: response_headers_xml
};

struct Plan {
    std::string wsdl_file;      // server: absolute path of the WSDL to answer GET ?wsdl with
    std::string endpoint_path;  // e.g. /Remote/Services88/Favourite.svc
    std::vector<PlanOp> ops;

    const PlanOp *find(const char *name) const {
        for (const PlanOp &op : ops)
            if (op.name == name)
                return &op;
        return nullptr;
    }
};

// Reads the feed written by plan_feed.py. Returns false (with a message) on a malformed or truncated feed.
static bool load_feed(std::istream &in, Plan &plan, std::string &err) {
    std::string line;
    bool ended = false;
    while (std::getline(in, line)) {
        size_t sp = line.rfind(' ');
        if (sp == std::string::npos) {
            err = "malformed feed line: " + line;
            return false;
        }
        std::string key = line.substr(0, sp);
        size_t len = std::strtoul(line.c_str() + sp + 1, nullptr, 10);
        std::string value(len, '\0');
        if (len && !in.read(&value[0], (std::streamsize)len)) {
            err = "truncated feed value for " + key;
            return false;
        }
        if (in.get() != '\n') {
            err = "feed value for " + key + " is not followed by a newline";
            return false;
        }
        if (key == "format") {
            if (value != "gsoap-feed 1") {
                err = "unknown feed format " + value;
                return false;
            }
        } else if (key == "wsdl_file") {
            plan.wsdl_file = value;
        } else if (key == "endpoint_path") {
            plan.endpoint_path = value;
        } else if (key == "operation") {
            plan.ops.push_back(PlanOp());
            plan.ops.back().name = value;
        } else if (key == "body" || key == "header") {
            if (plan.ops.empty()) {
                err = key + " before any operation";
                return false;
            }
            if (key == "body")
                plan.ops.back().body = value;
            else
                plan.ops.back().headers.push_back(value);
        } else if (key == "end") {
            ended = true;
            break;
        } else {
            err = "unknown feed key " + key;
            return false;
        }
    }
    if (!ended) {
        err = "the plan feed ended early (did plan_feed.py fail?)";
        return false;
    }
    return true;
}

// gSOAP's own deserializer over a string: points ctx->is at it for the duration of read().
template <class F> static int read_xml(struct soap *ctx, const std::string &xml, F read) {
    std::istringstream in(xml);
    ctx->is = &in;
    int rc = read();
    ctx->is = nullptr;
    return rc;
}

// gSOAP's own serializer into a string.
template <class F> static int write_xml(struct soap *ctx, std::string &out, F write) {
    std::ostringstream os;
    ctx->os = &os;
    int rc = write();
    ctx->os = nullptr;
    out = os.str();
    return rc;
}

static std::string error_text(struct soap *s) {
    char buf[8192];
    buf[0] = '\0';
    soap_sprint_fault(s, buf, sizeof buf);
    std::string t(buf);
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' '))
        t.pop_back();
    return t;
}

// The plan's header blocks (standalone elements) as one SOAP_ENV__Header, read by gSOAP's deserializer of the
// soapcpp2-generated header struct: every block lands in the member named after its element. nullptr when there
// are no blocks; on failure nullptr with err set.
static struct SOAP_ENV__Header *read_header(struct soap *ctx, const std::vector<std::string> &blocks, std::string &err) {
    if (blocks.empty())
        return nullptr;
    std::string xml = "<SOAP-ENV:Header xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">";
    for (const std::string &b : blocks)
        xml += b;
    xml += "</SOAP-ENV:Header>";
    struct SOAP_ENV__Header *h = soap_new_SOAP_ENV__Header(ctx);
    if (!h || read_xml(ctx, xml, [&] { return soap_read_SOAP_ENV__Header(ctx, h); })) {
        err = error_text(ctx);
        return nullptr;
    }
    return h;
}

static std::string json_string(const std::string &s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': o += "\\\""; break;
        case '\\': o += "\\\\"; break;
        case '\n': o += "\\n"; break;
        case '\r': o += "\\r"; break;
        case '\t': o += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                o += buf;
            } else {
                o += (char)c;  // UTF-8 passes through unchanged
            }
        }
    }
    return o + "\"";
}

// A soap context for (de)serializing plan strings, separate from the one on the wire. What it writes (the client's
// results) is gSOAP's exclusive canonical form: only the namespaces used, declared where used, no XML declaration.
static struct soap *new_xml_context() {
    struct soap *ctx = soap_new2(SOAP_C_UTFSTRING, SOAP_C_UTFSTRING | SOAP_XML_CANONICAL | SOAP_XML_TREE);
    soap_set_namespaces(ctx, namespaces);
    ctx->prolog = nullptr;
    return ctx;
}

#endif
