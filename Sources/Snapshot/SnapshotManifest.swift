// The readable part of a snapshot: what machine it belongs to and what the file holds.

import Foundation

/// The manifest, stored as pretty-printed JSON right after the fixed header so `partita
/// snapshot info` (and a person with `head`) can read it without decompressing anything.
///
/// The binary records that follow must agree with it: the reader checks the section list,
/// RAM size and chunk size against the records before using any of them.
public struct SnapshotManifest: Codable, Equatable, Sendable {
    /// One device section: its name and the version of its saved-state layout.
    public struct SectionEntry: Codable, Equatable, Sendable {
        public var name: String
        public var version: Int
        public init(name: String, version: Int) {
            self.name = name
            self.version = version
        }
    }

    /// Repeats the header's format version (for readers of the JSON alone).
    public var formatVersion: Int
    /// The Partita that wrote the file (free text, e.g. "0.4.0" or a git description).
    public var partitaVersion: String
    /// When the snapshot was taken, ISO-8601 in UTC.
    public var created: String
    /// Guest RAM in bytes.
    public var ramSize: UInt64
    /// Bytes of RAM per chunk (the last chunk may be shorter).
    public var chunkSize: Int
    /// The machine configuration, opaque to this target; restore compares it with the machine's.
    public var configuration: JSONValue
    /// Device sections in file order.
    public var sections: [SectionEntry]

    public init(formatVersion: Int, partitaVersion: String, created: String, ramSize: UInt64, chunkSize: Int,
                configuration: JSONValue, sections: [SectionEntry]) {
        self.formatVersion = formatVersion
        self.partitaVersion = partitaVersion
        self.created = created
        self.ramSize = ramSize
        self.chunkSize = chunkSize
        self.configuration = configuration
        self.sections = sections
    }

    /// Number of RAM chunks the file holds (zero chunks included).
    public var chunkCount: Int {
        chunkSize > 0 ? Int((ramSize + UInt64(chunkSize) - 1) / UInt64(chunkSize)) : 0
    }

    /// The manifest as stored: pretty-printed with sorted keys, so equal manifests give equal bytes.
    func encoded() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(self))
    }

    /// An ISO-8601 UTC timestamp with seconds, as stored in `created`.
    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}
