// Kernel module dependency resolution from depmod's modules.dep.

/// The dependency graph in a `modules.dep` file ("path: dep-path dep-path ...").
public struct ModuleDependencies: Sendable {
    /// Module name (with '-' folded to '_') → its path relative to lib/modules/VERSION.
    public private(set) var paths: [String: String] = [:]
    /// Module path → the paths it depends on.
    public private(set) var dependencies: [String: [String]] = [:]

    public init(modulesDep text: String) {
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let path = String(line[..<colon])
            let deps = line[line.index(after: colon)...].split(separator: " ").map(String.init)
            paths[Self.moduleName(ofPath: path)] = path
            dependencies[path] = deps
        }
    }

    /// "kernel/drivers/hv/hv_vmbus.ko.xz" → "hv_vmbus"; names fold '-' to '_' as modprobe does.
    public static func moduleName(ofPath path: String) -> String {
        var base = String(path.split(separator: "/").last ?? "")
        for suffix in [".xz", ".zst", ".gz"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        if base.hasSuffix(".ko") { base.removeLast(3) }
        return base.replacingOccurrences(of: "-", with: "_")
    }

    /// Paths of `modules` and everything they need, dependencies first (load order).
    /// Throws when a module is not in the map.
    public func closure(of modules: [String]) throws(GuestKitError) -> [String] {
        var order: [String] = []
        var seen = Set<String>()
        func visit(_ path: String) {
            if seen.contains(path) { return }
            seen.insert(path)
            for d in dependencies[path] ?? [] { visit(d) }
            order.append(path)
        }
        for m in modules {
            let key = m.replacingOccurrences(of: "-", with: "_")
            guard let path = paths[key] else { throw GuestKitError("module \(m) is not in this kernel's modules.dep") }
            visit(path)
        }
        return order
    }
}
