// XMLUnit anchor for `make bench`: Debian's XMLUnit 1.6, Diff#similar() with whitespace, comments and
// attribute order ignored. Usage: java -cp xmlunit.jar:. XMLUnitBench DIR  (JSON lines, like soaptape-bench)
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.custommonkey.xmlunit.Diff;
import org.custommonkey.xmlunit.XMLUnit;

public class XMLUnitBench {
    interface Body { void run() throws Exception; }

    static double medianSeconds(Body body, double budget) throws Exception {
        long warmUntil = System.nanoTime() + 1_000_000_000L;   // let the JIT settle first
        while (System.nanoTime() < warmUntil) body.run();
        long t0 = System.nanoTime();
        body.run();
        double once = (System.nanoTime() - t0) / 1e9;
        int perBatch = Math.max(1, (int) (0.05 / Math.max(once, 1e-9)));
        List<Double> samples = new ArrayList<>();
        long began = System.nanoTime();
        while (samples.size() < 5 || (System.nanoTime() - began) / 1e9 < budget) {
            long start = System.nanoTime();
            for (int i = 0; i < perBatch; i++) body.run();
            samples.add((System.nanoTime() - start) / 1e9 / perBatch);
            if (samples.size() >= 200) break;
        }
        Collections.sort(samples);
        return samples.get(samples.size() / 2);
    }

    static String read(String path) throws Exception { return new String(Files.readAllBytes(Paths.get(path)), "UTF-8"); }

    static final javax.xml.parsers.DocumentBuilder BUILDER = newBuilder();

    static javax.xml.parsers.DocumentBuilder newBuilder() {
        try {
            javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setIgnoringElementContentWhitespace(true);
            factory.setIgnoringComments(true);
            factory.setCoalescing(true);
            return factory.newDocumentBuilder();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Parses both documents with one reused builder (XMLUnit's own per-call set-up left out), then similar(). */
    static boolean similar(String a, String b) throws Exception {
        org.w3c.dom.Document control = BUILDER.parse(new org.xml.sax.InputSource(new java.io.StringReader(a)));
        org.w3c.dom.Document test = BUILDER.parse(new org.xml.sax.InputSource(new java.io.StringReader(b)));
        return new Diff(control, test).similar();
    }

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        XMLUnit.setIgnoreWhitespace(!Boolean.getBoolean("keepWhitespace"));
        XMLUnit.setIgnoreComments(true);
        XMLUnit.setIgnoreAttributeOrder(true);
        for (String size : new String[] {"1KB", "100KB", "10MB"}) {
            String expected = read(dir + "/" + size + "-expected.xml");
            for (String variant : new String[] {"twin", "changed"}) {
                String actual = read(dir + "/" + size + "-" + variant + ".xml");
                double seconds = medianSeconds(() -> similar(expected, actual), size.equals("10MB") ? 4.0 : 1.0);
                System.out.printf("{\"pair\": \"%s\", \"variant\": \"%s\", \"xmlunit_s\": %.9f, \"xmlunit_equal\": %b}%n",
                                  size, variant, seconds, similar(expected, actual));
            }
        }
        List<String[]> pairs = new ArrayList<>();
        for (int n = 1; n <= 1000; n++) {
            String name = String.format("%s/small/%04d", dir, n);
            pairs.add(new String[] {read(name + "-expected.xml"), read(name + "-twin.xml")});
        }
        boolean allEqual = true;
        for (String[] pair : pairs) allEqual &= similar(pair[0], pair[1]);
        double seconds = medianSeconds(() -> { for (String[] pair : pairs) similar(pair[0], pair[1]); }, 3.0);
        System.out.printf("{\"pair\": \"1000 small\", \"variant\": \"twin\", \"xmlunit_s\": %.9f, \"xmlunit_equal\": %b}%n",
                          seconds, allEqual);
    }
}
