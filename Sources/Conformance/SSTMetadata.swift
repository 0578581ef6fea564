// SingleStepTests suite metadata: per-opcode status and undefined-flag masks, and revoked tests.

import Foundation

/// The contents of a suite's `metadata.json` (and `revocation_list.txt`).
///
/// `metadata.json` has an `opcodes` object keyed by upper-case opcode hex. An entry is either
/// `{"status", "arch", "flags", "flags-mask"}` or, for group opcodes, `{"reg": {"0": {…}, …}}`
/// keyed by the ModR/M reg field. `flags-mask` has a bit set for every FLAGS bit that is defined.
/// The revocation list holds the SHA-1 hex hashes of tests found to be wrong, one per line, with
/// `#` comments.
public struct SSTMetadata: Equatable, Sendable {
    /// CPU named by the file ("286"), if given.
    public var cpu: String?
    /// Entries keyed by `SSTOpcodeKey` ("F6.7" for group members).
    public var opcodes: [SSTOpcodeKey: SSTOpcodeInfo]
    /// Lower-case SHA-1 hex of revoked tests.
    public var revokedHashes: Set<String>

    public init(cpu: String? = nil, opcodes: [SSTOpcodeKey: SSTOpcodeInfo] = [:], revokedHashes: Set<String> = []) {
        self.cpu = cpu
        self.opcodes = opcodes
        self.revokedHashes = revokedHashes
    }

    /// The entry for `key`; a group key ("F6.7") falls back to a plain opcode entry ("F6") when the
    /// metadata does not split that opcode by reg.
    public func info(for key: SSTOpcodeKey) -> SSTOpcodeInfo? {
        if let exact = opcodes[key] { return exact }
        if key.reg != nil { return opcodes[SSTOpcodeKey(opcode: key.opcode)] }
        return nil
    }

    /// Loads `metadata.json` (plain or gzip) and, if given, a revocation list.
    public static func load(metadataPath: String, revocationListPath: String? = nil) throws(SSTMetadataError) -> SSTMetadata {
        let bytes: [UInt8]
        do { bytes = try GzipFile.read(path: metadataPath) } catch { throw .unreadable(error) }
        var metadata = try parse(json: bytes, path: metadataPath)
        if let revocationListPath {
            let list: [UInt8]
            do { list = try GzipFile.read(path: revocationListPath) } catch { throw .unreadable(error) }
            metadata.revokedHashes = parseRevocationList(String(decoding: list, as: UTF8.self))
        }
        return metadata
    }

    /// Finds `metadata.json[.gz]` and `revocation_list.txt[.gz]` in `folder`; nil when there is no metadata.
    public static func discover(inFolder folder: String) throws(SSTMetadataError) -> SSTMetadata? {
        let fm = FileManager.default
        let base = folder.isEmpty ? "." : folder
        guard let metadataPath = ["metadata.json", "metadata.json.gz"].map({ base + "/" + $0 })
            .first(where: { fm.fileExists(atPath: $0) }) else { return nil }
        let revocation = ["revocation_list.txt", "revocation_list.txt.gz"].map { base + "/" + $0 }
            .first(where: { fm.fileExists(atPath: $0) })
        return try load(metadataPath: metadataPath, revocationListPath: revocation)
    }

    /// Parses the JSON text of a metadata file.
    public static func parse(json bytes: [UInt8], path: String = "metadata.json") throws(SSTMetadataError) -> SSTMetadata {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw .malformed(path: path, detail: "invalid JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else {
            throw .malformed(path: path, detail: "top level is not an object")
        }
        guard let opcodes = root["opcodes"] as? [String: Any] else {
            throw .malformed(path: path, detail: "no \"opcodes\" object")
        }
        var result = SSTMetadata(cpu: root["cpu"] as? String)
        for (opcode, value) in opcodes {
            guard let entry = value as? [String: Any] else {
                throw .malformed(path: path, detail: "opcode \(opcode) is not an object")
            }
            if let regs = entry["reg"] as? [String: Any] {
                for (regText, regValue) in regs {
                    guard let reg = Int(regText), (0...7).contains(reg), let regEntry = regValue as? [String: Any] else {
                        throw .malformed(path: path, detail: "opcode \(opcode) has a bad reg entry \"\(regText)\"")
                    }
                    result.opcodes[SSTOpcodeKey(opcode: opcode, reg: reg)] = try info(regEntry, path: path, what: "\(opcode).\(reg)")
                }
                if entry["status"] != nil {
                    result.opcodes[SSTOpcodeKey(opcode: opcode)] = try info(entry, path: path, what: opcode)
                }
            } else {
                result.opcodes[SSTOpcodeKey(opcode: opcode)] = try info(entry, path: path, what: opcode)
            }
        }
        return result
    }

    private static func info(_ entry: [String: Any], path: String, what: String) throws(SSTMetadataError) -> SSTOpcodeInfo {
        var mask: UInt32?
        if let raw = entry["flags-mask"] {
            guard let number = raw as? NSNumber, let value = UInt32(exactly: number.int64Value), number.int64Value >= 0 else {
                throw .malformed(path: path, detail: "opcode \(what) has a non-numeric flags-mask")
            }
            mask = value
        }
        return SSTOpcodeInfo(status: entry["status"] as? String ?? "normal", arch: entry["arch"] as? String,
                             flags: entry["flags"] as? String, flagsMask: mask)
    }

    /// Parses a revocation list: one SHA-1 hex hash per line; blank lines and `#` comments ignored.
    public static func parseRevocationList(_ text: String) -> Set<String> {
        var hashes = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let hash = content.trimmingCharacters(in: .whitespaces).lowercased()
            if !hash.isEmpty { hashes.insert(hash) }
        }
        return hashes
    }
}
