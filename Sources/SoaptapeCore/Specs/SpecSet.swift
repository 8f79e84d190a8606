import Foundation
import SoapXML

/// All specs under a folder, indexed by endpoint and payload element.
public struct SpecSet: Sendable {
    /// Every spec, in path order.
    public let specs: [LoadedSpec]
    /// Spec indices by endpoint key, so that a request never scans every spec.
    private let byEndpoint: [String: [Int]]

    /// Wraps loaded specs.
    public init(_ specs: [LoadedSpec]) {
        self.specs = specs
        var index: [String: [Int]] = [:]
        for (position, loaded) in specs.enumerated() {
            index[SoapMessage.endpointKey(loaded.spec.endpoint), default: []].append(position)
        }
        byEndpoint = index
    }

    /// The spec files under `path` (a file, or a folder searched recursively), in path order.
    public static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let enumerator = FileManager.default.enumerator(atPath: path)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard name.hasSuffix(".yaml"), name != SpecLoader.defaultsFileName,
                !name.hasSuffix(SpecLoader.examplesSuffix)
            else { continue }
            files.append((path as NSString).appendingPathComponent(relative))
        }
        return files.sorted()
    }

    /// Loads every spec under `paths`; all errors are collected, not just the first.
    public static func load(_ paths: [String]) throws(SourceErrors) -> SpecSet {
        var specs: [LoadedSpec] = []
        var errors: [SourceError] = []
        for path in paths {
            let files = files(at: path)
            if files.isEmpty {
                errors.append(SourceError(file: path, line: 1, column: 1,
                                          message: "no spec files (*.yaml) here; check the path"))
            }
            for file in files {
                do { specs.append(try SpecLoader.load(file)) } catch { errors.append(error) }
            }
        }
        if !errors.isEmpty { throw SourceErrors(errors) }
        return SpecSet(specs)
    }

    /// Specs served at the endpoint of `path` (tenant prefix and query ignored).
    public func specs(atEndpoint path: String) -> [LoadedSpec] {
        (byEndpoint[SoapMessage.endpointKey(path)] ?? []).map { specs[$0] }
    }

    /// The spec for a request to `path` whose Body's first child is `element`.
    public func spec(atEndpoint path: String, requestElement element: ExpandedName) -> LoadedSpec? {
        // Indices first: copying every spec of the endpoint to pick one costs more than the comparison.
        guard let indices = byEndpoint[SoapMessage.endpointKey(path)] else { return nil }
        for index in indices
        where specs[index].spec.requestElementName == element.localName && specs[index].spec.namespace == element.namespace {
            return specs[index]
        }
        return nil
    }

    /// The specs a name picks: a spec file, `Operation`, `Agent/Operation` or `ServicesNN/Agent/Operation`.
    public func specs(named name: String) -> [LoadedSpec] {
        let byFile = specs.filter { $0.file == name || $0.file.hasSuffix("/" + name) }
        if !byFile.isEmpty { return byFile }
        let parts = name.split(separator: "/").map(String.init)
        return specs.filter { loaded in
            switch parts.count {
            case 1: loaded.spec.operation == parts[0]
            case 2: loaded.spec.agent == parts[0] && loaded.spec.operation == parts[1]
            case 3: loaded.spec.version == parts[0] && loaded.spec.agent == parts[1] && loaded.spec.operation == parts[2]
            default: false
            }
        }
    }
}
