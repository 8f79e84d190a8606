package soaptape.interop.jaxws;

import java.io.PrintStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.jws.WebMethod;
import javax.jws.WebParam;
import javax.jws.WebResult;
import javax.jws.WebService;
import javax.xml.bind.JAXBContext;
import javax.xml.bind.JAXBElement;
import javax.xml.bind.Marshaller;
import javax.xml.bind.Unmarshaller;
import javax.xml.bind.annotation.XmlRootElement;
import javax.xml.namespace.QName;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.stream.StreamSource;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.Holder;
import javax.xml.ws.Service;
import javax.xml.ws.WebFault;
import javax.xml.ws.WebServiceClient;
import javax.xml.ws.soap.SOAPFaultException;

/**
 * Runs a call plan (Tests/Interop/plan/wsdl_plan.py) through the JAX-WS RI client that wsimport generated from the
 * plan's WSDL. One class serves every operation of every WSDL: the generated package is found from the WSDL path,
 * its port interface (SEI) and Service class by their annotations, each operation's port method by its
 * {@code @WebMethod(operationName)}. The bindings turn wrapper style off, so each method takes the request wrapper
 * element object, then the SOAP header blocks (-XadditionalHeaders): IN as values, INOUT/OUT as Holders.
 *
 * Usage: PlanClient --plan PLAN.json --endpoint URL [--wsdl-from-endpoint]
 * System properties: soaptape.root (the repository), soaptape.jaxws.index (the build's wsdl to package table).
 * Prints one JSON line per operation, in plan order:
 * {"operation": NAME, "outcome": "ok"|"fault"|"error", "result": STRING, "response_headers": [XML, ...]}
 */
public final class PlanClient {
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int REQUEST_TIMEOUT_MS = 60_000;

    private final JAXBContext context;
    private final Object port;
    private final Map<String, Method> methods = new TreeMap<>();

    private PlanClient(String pkg, URL wsdl, String endpoint) throws Exception {
        List<Class<?>> classes = packageClasses(pkg);
        Class<?> serviceClass = null;
        Class<?> sei = null;
        for (Class<?> c : classes) {
            if (c.isAnnotationPresent(WebServiceClient.class) && Service.class.isAssignableFrom(c)) {
                serviceClass = one(serviceClass, c, "@WebServiceClient class");
            }
            if (c.isInterface() && c.isAnnotationPresent(WebService.class)) {
                sei = one(sei, c, "@WebService interface");
            }
        }
        if (serviceClass == null || sei == null) {
            throw new IllegalStateException("package " + pkg + " has no generated Service class or port interface");
        }
        for (Method m : sei.getMethods()) {
            WebMethod wm = m.getAnnotation(WebMethod.class);
            if (wm != null) {
                methods.put(wm.operationName().isEmpty() ? m.getName() : wm.operationName(), m);
            }
        }
        context = JAXBContext.newInstance(pkg, PlanClient.class.getClassLoader());
        Service service = (Service) serviceClass.getConstructor(URL.class).newInstance(wsdl);
        port = service.getPort(sei);
        Map<String, Object> rc = ((BindingProvider) port).getRequestContext();
        rc.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, endpoint);
        rc.put("com.sun.xml.ws.connect.timeout", CONNECT_TIMEOUT_MS);
        rc.put("com.sun.xml.ws.request.timeout", REQUEST_TIMEOUT_MS);
    }

    private static <T> T one(T had, T found, String what) {
        if (had != null) {
            throw new IllegalStateException("two " + what + "s: " + had + ", " + found);
        }
        return found;
    }

    /** The top-level classes of a package compiled into a directory on the class path. */
    private static List<Class<?>> packageClasses(String pkg) throws Exception {
        String dir = pkg.replace('.', '/');
        URL url = PlanClient.class.getClassLoader().getResource(dir);
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException("package " + pkg + " not found as a directory on the class path");
        }
        List<String> names = new ArrayList<>();
        try (var stream = Files.list(Paths.get(url.toURI()))) {
            stream.map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(".class") && n.indexOf('$') < 0 && !n.equals("package-info.class"))
                .sorted().forEach(names::add);
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String n : names) {
            classes.add(Class.forName(pkg + "." + n.substring(0, n.length() - ".class".length())));
        }
        return classes;
    }

    /** The call result of one operation: outcome, result, response headers. */
    private static final class Outcome {
        String outcome;
        String result;
        List<String> headers = new ArrayList<>();
    }

    private Outcome call(Map<String, Object> op) {
        Outcome out = new Outcome();
        String name = (String) op.get("name");
        try {
            Method m = methods.get(name);
            if (m == null) {
                throw new IllegalStateException("no port method for operation " + name);
            }
            Object[] args = arguments(m, op);
            Object response;
            try {
                response = m.invoke(port, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            out.outcome = "ok";
            out.result = response == null ? "" : marshal(response, resultName(m));
            Annotation[][] pa = m.getParameterAnnotations();
            for (int i = 0; i < args.length; i++) {
                WebParam wp = webParam(pa[i]);
                if (wp != null && wp.header() && wp.mode() != WebParam.Mode.IN) {
                    Object value = ((Holder<?>) args[i]).value;
                    if (value != null) {
                        out.headers.add(marshal(value, new QName(wp.targetNamespace(), wp.name())));
                    }
                }
            }
        } catch (SOAPFaultException e) {
            out.outcome = "fault";
            out.result = e.getFault().getFaultString();
        } catch (Throwable e) {
            if (e.getClass().isAnnotationPresent(WebFault.class)) {
                out.outcome = "fault";
                out.result = e.getMessage();
            } else {
                out.outcome = "error";
                out.result = describe(e);
            }
        }
        return out;
    }

    /** The exception and its causes (JAXB keeps the parser's error as the "linked exception"). */
    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; ) {
            s.append(s.length() == 0 ? "" : " <- ").append(t.getClass().getName());
            if (t.getMessage() != null) {
                s.append(": ").append(t.getMessage());
            }
            Throwable next = t instanceof javax.xml.bind.JAXBException
                ? ((javax.xml.bind.JAXBException) t).getLinkedException() : null;
            t = next != null && next != t ? next : (t.getCause() != t ? t.getCause() : null);
        }
        return s.toString();
    }

    private static WebParam webParam(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a instanceof WebParam) {
                return (WebParam) a;
            }
        }
        return null;
    }

    private static QName resultName(Method m) {
        WebResult wr = m.getAnnotation(WebResult.class);
        return wr == null ? null : new QName(wr.targetNamespace(), wr.name());
    }

    /** The port method's arguments: the body wrapper from request_xml, each header from headers_xml by name. */
    @SuppressWarnings("unchecked")
    private Object[] arguments(Method m, Map<String, Object> op) throws Exception {
        Map<QName, String> headers = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        Object hx = op.get("headers_xml");
        if (hx != null) {
            for (Object h : (List<Object>) hx) {
                headers.put(rootName((String) h), (String) h);
            }
        }
        Type[] types = m.getGenericParameterTypes();
        Annotation[][] pa = m.getParameterAnnotations();
        Object[] args = new Object[types.length];
        Unmarshaller u = context.createUnmarshaller();
        boolean bodyDone = false;
        for (int i = 0; i < types.length; i++) {
            WebParam wp = webParam(pa[i]);
            if (wp == null || !wp.header()) {
                if (bodyDone) {
                    throw new IllegalStateException(m.getName() + " has more than one body parameter");
                }
                args[i] = unmarshal(u, (String) op.get("request_xml"), (Class<?>) types[i]);
                bodyDone = true;
                continue;
            }
            boolean holder = wp.mode() != WebParam.Mode.IN;
            Type t = holder ? ((ParameterizedType) types[i]).getActualTypeArguments()[0] : types[i];
            String xml = wp.mode() == WebParam.Mode.OUT ? null
                : headers.remove(new QName(wp.targetNamespace(), wp.name()));
            Object value = xml == null ? null : unmarshal(u, xml, (Class<?>) t);
            args[i] = holder ? new Holder<>(value) : value;
        }
        if (!headers.isEmpty()) {
            throw new IllegalStateException("plan headers with no header parameter in " + m.getName() + ": "
                + headers.keySet());
        }
        return args;
    }

    /** JAXB-unmarshals an element into the declared type (xsi:type picks a subclass; xsi:nil gives null). */
    private static Object unmarshal(Unmarshaller u, String xml, Class<?> type) throws Exception {
        JAXBElement<?> e = u.unmarshal(new StreamSource(new StringReader(xml)), type);
        return e.isNil() ? null : e.getValue();
    }

    private static QName rootName(String xml) throws Exception {
        XMLStreamReader r = XMLInputFactory.newInstance().createXMLStreamReader(new StringReader(xml));
        while (r.next() != XMLStreamConstants.START_ELEMENT) {
            // skip the prolog
        }
        QName name = new QName(r.getNamespaceURI() == null ? "" : r.getNamespaceURI(), r.getLocalName());
        r.close();
        return name;
    }

    /** The object as a standalone element, by JAXB (no XML declaration, no indentation). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private String marshal(Object value, QName name) throws Exception {
        Marshaller m = context.createMarshaller();
        m.setProperty(Marshaller.JAXB_FRAGMENT, Boolean.TRUE);
        m.setProperty(Marshaller.JAXB_ENCODING, "UTF-8");
        StringWriter w = new StringWriter();
        if (value.getClass().isAnnotationPresent(XmlRootElement.class) || value instanceof JAXBElement
                || name == null) {
            m.marshal(value, w);
        } else {
            m.marshal(new JAXBElement(name, value.getClass(), value), w);
        }
        return w.toString();
    }

    /** The generated package of a WSDL, from the build's table (repository-relative WSDL path, TAB, package). */
    private static String packageOf(Path root, String wsdl, Path index) throws Exception {
        Path w = root.resolve(wsdl).normalize();
        for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            if (f.length == 2 && root.resolve(f[0]).normalize().equals(w)) {
                return f[1];
            }
        }
        throw new IllegalStateException("no generated package for " + wsdl + " in " + index);
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] argv) throws Exception {
        String planPath = null;
        String endpointArg = null;
        boolean wsdlFromEndpoint = false;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--plan": planPath = argv[++i]; break;
                case "--endpoint": endpointArg = argv[++i]; break;
                case "--wsdl-from-endpoint": wsdlFromEndpoint = true; break;
                default:
                    System.err.println("unknown argument " + argv[i]);
                    System.exit(2);
            }
        }
        if (planPath == null || endpointArg == null) {
            System.err.println("usage: client --plan PLAN.json --endpoint URL [--wsdl-from-endpoint]");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Path root = Paths.get(System.getProperty("soaptape.root", ".")).toAbsolutePath().normalize();
        Path index = Paths.get(System.getProperty("soaptape.jaxws.index"));
        Map<String, Object> plan = (Map<String, Object>) Json.parse(
            new String(planPath.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Paths.get(planPath)),
                StandardCharsets.UTF_8));
        String wsdl = (String) plan.get("wsdl");
        String endpoint = endpointArg;
        String path = URI.create(endpointArg).getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            endpoint = endpointArg.replaceAll("/+$", "") + plan.get("endpoint_path");
        }
        URL wsdlUrl = wsdlFromEndpoint ? new URL(endpoint + "?wsdl") : root.resolve(wsdl).toUri().toURL();
        PlanClient client = new PlanClient(packageOf(root, wsdl, index), wsdlUrl, endpoint);
        for (Object o : (List<Object>) plan.get("operations")) {
            Map<String, Object> op = (Map<String, Object>) o;
            Outcome r = client.call(op);
            StringBuilder line = new StringBuilder("{\"operation\": ").append(Json.quote((String) op.get("name")))
                .append(", \"outcome\": ").append(Json.quote(r.outcome))
                .append(", \"result\": ").append(Json.quote(r.result == null ? "" : r.result))
                .append(", \"response_headers\": [");
            for (int i = 0; i < r.headers.size(); i++) {
                line.append(i == 0 ? "" : ", ").append(Json.quote(r.headers.get(i)));
            }
            out.println(line.append("]}"));
            out.flush();
        }
    }
}
