// Reads and checks a snapshot file: header and manifest on open, the rest on `read`.

import Foundation

/// An open snapshot file. `init` reads only the fixed header and the manifest (what `partita
/// snapshot info` shows); `read` checks and decodes the device sections and RAM.
///
/// Nothing in the file is trusted: every length is checked against the bytes left and the
/// limits in `SnapshotFile.Limits` before anything is allocated, every record's CRC before its
/// frame is decompressed, and the whole-file CRC before any of it.
/// Every failure is a `SnapshotFileError`; no input makes the reader trap.
public final class SnapshotReader {
    public let path: String
    /// The file's size in bytes.
    public let fileSize: UInt64
    /// The format version in the header.
    public let formatVersion: UInt32
    public let manifest: SnapshotManifest
    /// The manifest exactly as stored (pretty-printed JSON).
    public let manifestText: String

    private let file: POSIXFile
    /// Offset of the section count, right after the manifest.
    private let bodyOffset: UInt64

    /// Opens `path` and checks its header and manifest.
    public init(path: String) throws(SnapshotFileError) {
        typealias L = SnapshotFile.Limits
        self.path = path
        file = try POSIXFile.openForReading(path)
        fileSize = try file.size()
        let headerSize = UInt64(SnapshotFile.headerSize)
        guard fileSize >= UInt64(SnapshotFile.magic.count) else {
            throw .truncated(offset: fileSize, expected: "the \(SnapshotFile.headerSize)-byte header (file has \(fileSize) bytes)")
        }
        let magic = try file.read(count: SnapshotFile.magic.count, at: 0, what: "the magic")
        guard magic == SnapshotFile.magic else { throw .notASnapshot(path: path) }
        guard fileSize >= headerSize else {
            throw .truncated(offset: fileSize, expected: "the \(SnapshotFile.headerSize)-byte header (file has \(fileSize) bytes)")
        }
        let headerBytes = try file.read(count: SnapshotFile.headerSize, at: 0, what: "the header")
        formatVersion = ByteFields.u32(headerBytes, 8)
        if formatVersion > SnapshotFile.formatVersion {
            throw .newerFormat(found: formatVersion, supported: SnapshotFile.formatVersion)
        }
        guard formatVersion == SnapshotFile.formatVersion else { throw .unsupportedFormat(found: formatVersion) }
        let manifestLength = ByteFields.u32(headerBytes, 12)
        guard manifestLength >= 1 && manifestLength <= UInt32(L.maxManifestSize) else {
            throw .malformed(offset: 12, reason: "manifest length \(manifestLength) is outside 1...\(L.maxManifestSize)")
        }
        guard UInt64(manifestLength) <= fileSize - headerSize else {
            throw .truncated(offset: fileSize, expected: "a manifest of \(manifestLength) bytes at offset \(headerSize)")
        }
        let manifestBytes = try file.read(count: Int(manifestLength), at: headerSize, what: "the manifest")
        guard CRC32C.checksum(manifestBytes) == ByteFields.u32(headerBytes, 16) else {
            throw .checksumMismatch(what: "the manifest", offset: headerSize)
        }
        bodyOffset = headerSize + UInt64(manifestLength)
        guard let text = String(bytes: manifestBytes, encoding: .utf8) else {
            throw .malformed(offset: headerSize, reason: "the manifest is not UTF-8")
        }
        manifestText = text
        do {
            manifest = try JSONDecoder().decode(SnapshotManifest.self, from: Data(manifestBytes))
        } catch {
            throw .malformed(offset: headerSize, reason: "the manifest is not valid: \(SnapshotReader.oneLine(error))")
        }
        try SnapshotReader.check(manifest, headerVersion: formatVersion)
    }

    /// Consistency of the manifest on its own (the records are checked against it later).
    private static func check(_ m: SnapshotManifest, headerVersion: UInt32) throws(SnapshotFileError) {
        typealias L = SnapshotFile.Limits
        let at = UInt64(SnapshotFile.headerSize)
        guard m.formatVersion == Int(headerVersion) else {
            throw .malformed(offset: at, reason: "the manifest says format version \(m.formatVersion), the header \(headerVersion)")
        }
        guard m.ramSize <= L.maxRAMSize else {
            throw .malformed(offset: at, reason: "RAM size \(m.ramSize) is larger than 4 GiB")
        }
        guard SnapshotFile.isValidChunkSize(m.chunkSize) else {
            throw .malformed(offset: at, reason: "chunk size \(m.chunkSize) is not a power of two from \(L.minChunkSize) to \(L.maxChunkSize)")
        }
        guard m.sections.count <= L.maxSections else {
            throw .malformed(offset: at, reason: "\(m.sections.count) sections (at most \(L.maxSections))")
        }
        var seen = Set<String>()
        for s in m.sections {
            guard s.name.utf8.count >= 1 && s.name.utf8.count <= L.maxSectionNameLength else {
                throw .malformed(offset: at, reason: "section name of \(s.name.utf8.count) bytes")
            }
            guard seen.insert(s.name).inserted else { throw .malformed(offset: at, reason: "section \"\(s.name)\" listed twice") }
            guard s.version >= 0 && s.version <= Int(UInt32.max) else {
                throw .malformed(offset: at, reason: "section \"\(s.name)\" has version \(s.version)")
            }
        }
    }

    /// Checks the trailing CRC over the whole file without decoding anything.
    public func verifyChecksum() throws(SnapshotFileError) {
        let trailerOffset = try checkTrailer()
        let crcOffset = trailerOffset + UInt64(SnapshotFile.trailerSize - SnapshotFile.crcSize)
        let computed = try ParallelFileChecksum(
            file: file, length: crcOffset, threads: ProcessInfo.processInfo.activeProcessorCount).compute()
        let stored = try file.read(count: SnapshotFile.crcSize, at: crcOffset, what: "the file checksum")
        guard computed == ByteFields.u32(stored, 0) else { throw .checksumMismatch(what: "the file", offset: crcOffset) }
    }

    /// Reads the device sections and decompresses RAM into `ram`, which must be exactly
    /// `manifest.ramSize` bytes.
    ///
    /// The whole-file CRC is checked first, so a damaged file is refused before `ram` is
    /// touched. After that every record is still checked on its own (lengths against the bytes
    /// left, its CRC, its zstd frame's size), which is what keeps a crafted file with correct
    /// checksums from doing harm; if one of those checks fails, `ram` holds a mix of old and new
    /// contents and the machine must not run on it.
    ///
    /// With `ramIsZeroed` (a freshly allocated machine) all-zero chunks are not written at all,
    /// so their pages are never touched.
    public func read(ramInto ram: UnsafeMutableRawBufferPointer, ramIsZeroed: Bool = false)
        throws(SnapshotFileError) -> [SnapshotSection]
    {
        guard UInt64(ram.count) == manifest.ramSize else {
            throw .ramSizeMismatch(snapshot: manifest.ramSize, buffer: ram.count)
        }
        let trailerOffset = try checkTrailer()
        try verifyChecksum()
        var cursor = SnapshotCursor(file: file, end: trailerOffset, offset: bodyOffset)
        let sections = try readSections(&cursor)
        try RAMChunkDecoder(ram: ram, chunkSize: manifest.chunkSize, ramIsZeroed: ramIsZeroed).decode(from: &cursor)
        guard cursor.offset == trailerOffset else {
            throw .malformed(offset: cursor.offset, reason: "\(trailerOffset - cursor.offset) unexpected bytes before the trailer")
        }
        return sections
    }

    /// Checks the trailer's magic and recorded length; returns the trailer's offset.
    private func checkTrailer() throws(SnapshotFileError) -> UInt64 {
        let trailerSize = UInt64(SnapshotFile.trailerSize)
        guard fileSize >= bodyOffset + trailerSize else {
            throw .truncated(offset: fileSize, expected: "device sections, RAM and a \(trailerSize)-byte trailer after the manifest")
        }
        let trailerOffset = fileSize - trailerSize
        let trailer = try file.read(count: SnapshotFile.trailerSize, at: trailerOffset, what: "the trailer")
        guard Array(trailer[0..<8]) == SnapshotFile.endMagic else {
            throw .truncated(offset: fileSize, expected: "the end marker \"PSNAPEND\" at offset \(trailerOffset) (the file is cut short or has trailing bytes)")
        }
        let recorded = ByteFields.u64(trailer, 8)
        guard recorded == fileSize else {
            throw .malformed(offset: trailerOffset + 8, reason: "the trailer records a file length of \(recorded), the file has \(fileSize) bytes")
        }
        return trailerOffset
    }

    private func readSections(_ cursor: inout SnapshotCursor) throws(SnapshotFileError) -> [SnapshotSection] {
        typealias L = SnapshotFile.Limits
        let countOffset = cursor.offset
        let count = ByteFields.u32(try cursor.take(4, "the section count"), 0)
        guard count == UInt32(manifest.sections.count) else {
            throw .malformed(offset: countOffset, reason: "\(count) sections, the manifest lists \(manifest.sections.count)")
        }
        let decompressor = try ZstdDecompressor()
        var sections: [SnapshotSection] = []
        for (i, entry) in manifest.sections.enumerated() {
            let start = cursor.offset
            let what = "section \(i) (\"\(entry.name)\")"
            var record = try cursor.take(2, "\(what) name length")
            let nameLength = Int(ByteFields.u16(record, 0))
            guard nameLength >= 1 && nameLength <= L.maxSectionNameLength else {
                throw .malformed(offset: start, reason: "\(what) has a name of \(nameLength) bytes")
            }
            record += try cursor.take(nameLength + 12, "\(what) header")
            let name = String(decoding: record[2..<(2 + nameLength)], as: UTF8.self)
            let version = ByteFields.u32(record, 2 + nameLength)
            let payloadLength = ByteFields.u32(record, 6 + nameLength)
            let storedLength = ByteFields.u32(record, 10 + nameLength)
            guard Array(record[2..<(2 + nameLength)]) == Array(entry.name.utf8) else {
                throw .malformed(offset: start, reason: "\(what) is named \"\(name)\"")
            }
            guard Int(version) == entry.version else {
                throw .malformed(offset: start, reason: "\(what) has version \(version), the manifest says \(entry.version)")
            }
            guard payloadLength <= UInt32(L.maxSectionPayload) else {
                throw .malformed(offset: start, reason: "\(what) claims \(payloadLength) bytes (at most \(L.maxSectionPayload))")
            }
            guard storedLength >= 1 && Int(storedLength) <= ZstdCompressor.bound(Int(payloadLength)) else {
                throw .malformed(offset: start, reason: "\(what) stores \(storedLength) bytes for \(payloadLength)")
            }
            record += try cursor.take(Int(storedLength) + SnapshotFile.crcSize, "\(what) data")
            let crcAt = record.count - SnapshotFile.crcSize
            guard CRC32C.checksum(Array(record[0..<crcAt])) == ByteFields.u32(record, crcAt) else {
                throw .checksumMismatch(what: what, offset: start)
            }
            var payload = [UInt8](repeating: 0, count: Int(payloadLength))
            let frameStart = SnapshotFile.sectionFixedSize + nameLength
            let failure: String? = record.withUnsafeBytes { r in
                payload.withUnsafeMutableBytes { p in
                    decompressor.decompress(UnsafeRawBufferPointer(rebasing: r[frameStart..<crcAt]), into: p)
                }
            }
            if let failure { throw .compression(what: "\(what) at offset \(start)", reason: failure) }
            sections.append(SnapshotSection(name: name, version: Int(version), payload: payload))
        }
        return sections
    }

    /// The first line of an error's description (decoding errors can be long).
    private static func oneLine(_ error: Error) -> String {
        let s = "\(error)"
        return String(s.prefix { $0 != "\n" }.prefix(300))
    }
}
