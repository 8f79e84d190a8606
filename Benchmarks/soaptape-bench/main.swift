// The benchmark driver behind `make bench` (see Benchmarks/run.sh and docs/benchmarks.md).
//
//   soaptape-bench generate DIR            writes the envelope pairs every tool is measured on
//   soaptape-bench time DIR                times soaptape's compare and libxml2's bare parse (JSON lines)
//   soaptape-bench memory MODE A B         peak memory of one compare (MODE soaptape) or of holding both
//                                          documents as libxml2 trees (MODE libxml2), in bytes
//   soaptape-bench record ANCHORS SPECS    what recording one proxied interaction costs, step by step
//
// This target imports libxml2 directly: its anchor is libxml2's own parse, measured beside the engine.
import CLibXML2
import Foundation
import SoapXML

enum Generator {
    static let services88 = "http://www.superoffice.net/ws/crm/NetServer/Services88"

    /// A Services88 GetFavouritesResponse with `count` items, `xsi:type` on every element.
    static func response(items count: Int, style: Style, changeLast: Bool = false, seed: Int = 0) -> String {
        let (env, fav, xsi, xsd) = style == .original ? ("SOAP-ENV", "Favourite", "xsi", "xsd") : ("e", "fv", "i", "s")
        let nl = style == .original ? "\n" : "\n\t"
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        if style == .original {
            out += "<\(env):Envelope xmlns:\(env)=\"http://www.w3.org/2003/05/soap-envelope\" "
                + "xmlns:\(xsi)=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xmlns:\(xsd)=\"http://www.w3.org/2001/XMLSchema\" xmlns:\(fav)=\"\(services88)\">\n <\(env):Body>\n"
                + "  <\(fav):GetFavouritesResponse>\n"
        } else {
            out += "<\(env):Envelope xmlns:\(env)=\"http://www.w3.org/2003/05/soap-envelope\"><\(env):Body>"
                + "<\(fav):GetFavouritesResponse xmlns:\(fav)=\"\(services88)\" "
                + "xmlns:\(xsi)=\"http://www.w3.org/2001/XMLSchema-instance\">"
        }
        let schema = style == .original ? "" : " xmlns:\(xsd)=\"http://www.w3.org/2001/XMLSchema\""
        out += "\(nl)<\(fav):Response \(xsi):type=\"\(fav):ArrayOfFavourite\"\(schema)>"
        for n in 1...max(count, 1) {
            let id = seed * 100_000 + n
            let attributes = style == .original
                ? "\(xsi):type=\"\(fav):Favourite\" id=\"\(id)\"" : "id=\"\(id)\" \(xsi):type=\"\(fav):Favourite\""
            let name = changeLast && n == count ? "Changed favourite" : "Favourite \(id)"
            let fields: [(String, String, String)] = [
                ("FavouriteId", "int", "\(id)"), ("TableName", "string", n % 2 == 0 ? "contact" : "person"),
                ("RecordId", "int", "\(1000 + id)"), ("AssociateId", "int", "\(7 + n % 5)"),
                ("Name", "string", name), ("Rank", "int", "\(n)"),
                ("Registered", "dateTime", "2026-11-\(10 + n % 18)T10:\(10 + n % 49):00"),
            ]
            out += "\(nl)  <\(fav):Favourite \(attributes)>"
            for (element, type, value) in fields {
                out += "\(nl)    <\(fav):\(element) \(xsi):type=\"\(xsd):\(type)\">\(value)</\(fav):\(element)>"
            }
            out += "\(nl)  </\(fav):Favourite>"
        }
        out += "\(nl)</\(fav):Response>\n"
        out += style == .original ? "  </\(fav):GetFavouritesResponse>\n </\(env):Body>\n</\(env):Envelope>\n"
            : "</\(fav):GetFavouritesResponse></\(env):Body></\(env):Envelope>\n"
        return out
    }

    enum Style { case original, twin }

    static let sizes: [(label: String, items: Int)] = [("1KB", 1), ("100KB", 160), ("10MB", 16_500)]

    static func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory + "/small", withIntermediateDirectories: true)
        for (label, items) in sizes {
            try response(items: items, style: .original).write(toFile: "\(directory)/\(label)-expected.xml", atomically: true, encoding: .utf8)
            try response(items: items, style: .twin).write(toFile: "\(directory)/\(label)-twin.xml", atomically: true, encoding: .utf8)
            try response(items: items, style: .twin, changeLast: true)
                .write(toFile: "\(directory)/\(label)-changed.xml", atomically: true, encoding: .utf8)
        }
        for seed in 1...1000 {
            let name = String(format: "%04d", seed)
            try response(items: 1, style: .original, seed: seed)
                .write(toFile: "\(directory)/small/\(name)-expected.xml", atomically: true, encoding: .utf8)
            try response(items: 1, style: .twin, seed: seed)
                .write(toFile: "\(directory)/small/\(name)-twin.xml", atomically: true, encoding: .utf8)
        }
    }
}

enum Timing {
    /// Median seconds per call of `body`, over batches filling about `budget` seconds.
    static func median(budget: Double = 1.0, _ body: () -> Void) -> Double {
        body()
        let clock = ContinuousClock()
        let once = clock.measure { body() }
        let seconds = Double(once.components.seconds) + Double(once.components.attoseconds) / 1e18
        let perBatch = max(1, Int(0.05 / max(seconds, 1e-9)))
        var samples: [Double] = []
        let start = clock.now
        while samples.count < 5 || (clock.now - start) < .seconds(budget) {
            let elapsed = clock.measure { for _ in 0..<perBatch { body() } }
            samples.append((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                           / Double(perBatch))
            if samples.count >= 200 { break }
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    static func libxml2Parse(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                let doc = xmlReadMemory(chars.baseAddress, Int32(chars.count), nil, nil, Int32(XML_PARSE_NONET.rawValue))
                xmlFreeDoc(doc)
            }
        }
    }

    static func soaptapeCompare(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let expected = try! XMLDocument(bytes: a, name: "a")
        let actual = try! XMLDocument(bytes: b, name: "b")
        return XMLComparator().compare(expected, actual).isEqual
    }

    static func read(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }

    static func run(directory: String) {
        func emit(_ fields: [String: Any]) {
            let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
        for (label, _) in Generator.sizes {
            let expected = read("\(directory)/\(label)-expected.xml")
            for variant in ["twin", "changed"] {
                let actual = read("\(directory)/\(label)-\(variant).xml")
                let budget = label == "10MB" ? 4.0 : 1.0
                let equal = soaptapeCompare(expected, actual)
                let compare = median(budget: budget) { _ = soaptapeCompare(expected, actual) }
                let parse = median(budget: budget) { libxml2Parse(expected); libxml2Parse(actual) }
                emit(["pair": label, "variant": variant, "bytes": expected.count + actual.count,
                      "soaptape_s": compare, "libxml2_parse_s": parse, "soaptape_equal": equal])
            }
        }
        var pairs: [([UInt8], [UInt8])] = []
        for seed in 1...1000 {
            let name = String(format: "%04d", seed)
            pairs.append((read("\(directory)/small/\(name)-expected.xml"), read("\(directory)/small/\(name)-twin.xml")))
        }
        var allEqual = true
        for (a, b) in pairs where !soaptapeCompare(a, b) { allEqual = false }
        let compare = median(budget: 3.0) { for (a, b) in pairs { _ = soaptapeCompare(a, b) } }
        let parse = median(budget: 3.0) { for (a, b) in pairs { libxml2Parse(a); libxml2Parse(b) } }
        emit(["pair": "1000 small", "variant": "twin", "bytes": pairs.reduce(0) { $0 + $1.0.count + $1.1.count },
              "soaptape_s": compare, "libxml2_parse_s": parse, "soaptape_equal": allEqual])
    }
}

enum Memory {
    static func status(_ key: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let digits = line.split(separator: " ").compactMap { Int($0) }
            return (digits.first ?? 0) * 1024
        }
        return 0
    }

    /// Peak resident memory above the start, while doing `mode` on the two files.
    static func run(mode: String, _ a: String, _ b: String) {
        let baseline = status("VmRSS")
        let first = Timing.read(a)
        let second = Timing.read(b)
        switch mode {
        case "soaptape":
            _ = Timing.soaptapeCompare(first, second)
        default:
            let docs = [first, second].map { bytes in
                bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) {
                        xmlReadMemory($0.baseAddress, Int32($0.count), nil, nil, Int32(XML_PARSE_NONET.rawValue))
                    }
                }
            }
            docs.forEach { xmlFreeDoc($0) }
        }
        print(status("VmHWM") - baseline)
    }
}

let arguments = CommandLine.arguments
switch arguments.dropFirst().first {
case "generate": try Generator.write(to: arguments[2])
case "time": Timing.run(directory: arguments[2])
case "memory": Memory.run(mode: arguments[2], arguments[3], arguments[4])
case "record": try RecordTiming.run(anchors: arguments[2], specs: arguments[3])
default:
    FileHandle.standardError.write(Data("usage: soaptape-bench generate|time|memory|record …\n".utf8))
    exit(2)
}
