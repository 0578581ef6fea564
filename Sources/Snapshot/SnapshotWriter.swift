// Writes a snapshot file: temp file, header, manifest, sections, RAM, trailer, fsync, rename.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writing half of `SnapshotFile` (whose doc comment has the byte layout).
struct SnapshotWriter {
    var options: SnapshotWriteOptions
    /// Fault injection for tests: the write fails like a full disk after this many bytes.
    var failAfterBytes: Int?

    init(options: SnapshotWriteOptions, failAfterBytes: Int? = nil) {
        self.options = options
        self.failAfterBytes = failAfterBytes
    }

    func write(
        to path: String, configuration: JSONValue, partitaVersion: String, sections: [SnapshotSection],
        ram: UnsafeRawBufferPointer
    ) throws(SnapshotFileError) {
        try validate(sections: sections, ramSize: ram.count)
        let manifest = SnapshotManifest(
            formatVersion: Int(SnapshotFile.formatVersion), partitaVersion: partitaVersion,
            created: SnapshotManifest.timestamp(options.created), ramSize: UInt64(ram.count),
            chunkSize: options.chunkSize, configuration: configuration,
            sections: sections.map { SnapshotManifest.SectionEntry(name: $0.name, version: $0.version) })
        let manifestBytes: [UInt8]
        do { manifestBytes = try manifest.encoded() } catch {
            throw .invalidInput(reason: "cannot encode the manifest: \(error)")
        }
        guard manifestBytes.count <= SnapshotFile.Limits.maxManifestSize else {
            throw .invalidInput(reason: "the manifest has \(manifestBytes.count) bytes (at most \(SnapshotFile.Limits.maxManifestSize))")
        }

        let tempPath = path + ".tmp-\(getpid())"
        let file = try POSIXFile.create(tempPath)
        do throws(SnapshotFileError) {
            let out = ChecksummedOutput(file: file, failAfter: failAfterBytes)
            var header = SnapshotFile.magic
            ByteFields.append(SnapshotFile.formatVersion, to: &header)
            ByteFields.append(UInt32(manifestBytes.count), to: &header)
            ByteFields.append(CRC32C.checksum(manifestBytes), to: &header)
            try out.write(header)
            try out.write(manifestBytes)
            try writeSections(sections, to: out)
            try RAMChunkEncoder(ram: ram, options: options).encode(to: out)
            var trailer = SnapshotFile.endMagic
            ByteFields.append(out.count + UInt64(SnapshotFile.trailerSize), to: &trailer)
            try out.write(trailer)
            var crc: [UInt8] = []
            ByteFields.append(out.crc.value, to: &crc)
            try out.write(crc)
            try out.flush()
            if options.syncToDisk { try file.sync() }
            try file.close()
            guard rename(tempPath, path) == 0 else {
                throw .io(operation: "rename to \(path)", path: tempPath, errno: errno)
            }
        } catch {
            try? file.close()
            unlink(tempPath)
            throw error
        }
        // The data is durable; this makes the new directory entry durable too. Best effort:
        // the snapshot is complete under its real name whatever happens here.
        if options.syncToDisk { SnapshotWriter.syncDirectory(containing: path) }
    }

    private func validate(sections: [SnapshotSection], ramSize: Int) throws(SnapshotFileError) {
        typealias L = SnapshotFile.Limits
        guard UInt64(ramSize) <= L.maxRAMSize else {
            throw .invalidInput(reason: "RAM of \(ramSize) bytes is larger than 4 GiB")
        }
        guard SnapshotFile.isValidChunkSize(options.chunkSize) else {
            throw .invalidInput(reason: "chunk size \(options.chunkSize) is not a power of two from \(L.minChunkSize) to \(L.maxChunkSize)")
        }
        guard options.threads >= 1 else { throw .invalidInput(reason: "thread count \(options.threads) is below 1") }
        guard sections.count <= L.maxSections else {
            throw .invalidInput(reason: "\(sections.count) sections (at most \(L.maxSections))")
        }
        var seen = Set<String>()
        for s in sections {
            let n = s.name.utf8.count
            guard n >= 1 && n <= L.maxSectionNameLength else {
                throw .invalidInput(reason: "section name \"\(s.name)\" must have 1 to \(L.maxSectionNameLength) bytes")
            }
            guard seen.insert(s.name).inserted else { throw .invalidInput(reason: "section \"\(s.name)\" appears twice") }
            guard s.version >= 0 && s.version <= Int(UInt32.max) else {
                throw .invalidInput(reason: "section \"\(s.name)\" has version \(s.version), outside 0...\(UInt32.max)")
            }
            guard s.payload.count <= L.maxSectionPayload else {
                throw .invalidInput(reason: "section \"\(s.name)\" has \(s.payload.count) bytes (at most \(L.maxSectionPayload))")
            }
        }
    }

    private func writeSections(_ sections: [SnapshotSection], to out: ChecksummedOutput) throws(SnapshotFileError) {
        var count: [UInt8] = []
        ByteFields.append(UInt32(sections.count), to: &count)
        try out.write(count)
        let compressor = try ZstdCompressor(level: options.compressionLevel)
        for s in sections {
            var frame = [UInt8](repeating: 0, count: ZstdCompressor.bound(s.payload.count))
            let length = s.payload.withUnsafeBytes { src in
                frame.withUnsafeMutableBytes { dst in compressor.compress(src, into: dst) }
            }
            guard length > 0 else {
                throw .compression(what: "section \"\(s.name)\"", reason: ZstdCompressor.errorName(length))
            }
            frame.removeSubrange(length...)
            var record: [UInt8] = []
            ByteFields.append(UInt16(s.name.utf8.count), to: &record)
            record += Array(s.name.utf8)
            ByteFields.append(UInt32(s.version), to: &record)
            ByteFields.append(UInt32(s.payload.count), to: &record)
            ByteFields.append(UInt32(length), to: &record)
            record += frame
            ByteFields.append(CRC32C.checksum(record), to: &record)
            try out.write(record)
        }
    }

    private static func syncDirectory(containing path: String) {
        let dir: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            dir = "."
        }
        let fd = open(dir, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }
}
