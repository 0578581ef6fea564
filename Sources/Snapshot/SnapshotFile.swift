// The snapshot container: byte layout, limits and the entry points the machine calls.

/// A Partita snapshot file: a readable manifest, device sections and guest RAM, compressed with
/// zstd and checksummed (ARCHITECTURE.md, "Save / restore").
///
/// ## Byte layout (format version 1)
/// All integers are little-endian. "CRC" is CRC-32C (Castagnoli). Offsets are from the start
/// of the file; `M`, `L`, `C` are lengths given by earlier fields.
///
/// ```text
/// Header
///   0      8   magic "PARTSNAP"
///   8      4   format version (1)
///   12     4   manifest length M (1 ... 16 MiB)
///   16     4   CRC of the M manifest bytes
///   20     M   manifest: UTF-8 JSON (`SnapshotManifest`): format version, Partita version,
///              creation time (ISO-8601, UTC), RAM size, chunk size, the machine configuration
///              (opaque JSON) and the section list (name + version, in file order)
/// Device sections
///          4   section count S (equal to the manifest's list, at most 1024)
///   S records, each:
///          2   name length L (1 ... 255)
///          L   name (UTF-8; equal to the manifest's entry)
///          4   saved-state version (equal to the manifest's entry)
///          4   payload length P (uncompressed; at most 64 MiB)
///          4   stored length C (1 ... ZSTD_compressBound(P))
///          C   one zstd frame (content size in its header, XXH64 content checksum) holding P bytes
///          4   CRC of this record from the name length through the frame
/// RAM, in N = ceil(ramSize / chunkSize) records in address order
///   N records, each:
///          4   chunk index (0, 1, ... N-1)
///          4   stored length C: 0 = the chunk is all zero (no frame follows);
///              otherwise 1 ... ZSTD_compressBound(chunk length)
///          C   one zstd frame holding the chunk (chunkSize bytes; the last chunk holds the rest)
///          4   CRC of this record from the chunk index through the frame
/// Trailer
///          8   end magic "PSNAPEND"
///          8   file length, trailer included
///          4   CRC of every byte of the file before this field
/// ```
///
/// The reader checks every length against the bytes left in the file and against the limits
/// below before it allocates or decompresses anything, and every record's CRC before its frame
/// reaches zstd. The trailing CRC covers the whole file, so any change to any byte is caught
/// even where a structural check would pass.
///
/// Writing goes to `<path>.tmp-<pid>`, is fsynced and then renamed over `path`; any failure
/// removes the temporary file. So neither a full disk nor a crash ever leaves half a snapshot
/// under the real name, and an older snapshot there stays intact (a crash can leave only the
/// temporary file behind).
public enum SnapshotFile {
    /// The format this Partita writes and the newest it reads.
    public static let formatVersion: UInt32 = 1
    /// Chunk size used unless the caller asks for another: large enough for zstd to compress
    /// well and for per-chunk overhead to vanish, small enough that zero-chunk elision pays off.
    public static let defaultChunkSize = 1 << 20

    static let magic: [UInt8] = Array("PARTSNAP".utf8)
    static let endMagic: [UInt8] = Array("PSNAPEND".utf8)
    static let headerSize = 20
    static let trailerSize = 20
    /// Bytes of a section record around its name and frame (name length, version, payload
    /// length, stored length; then the CRC).
    static let sectionFixedSize = 2 + 4 + 4 + 4
    /// Bytes of a RAM chunk record before its frame (index, stored length).
    static let chunkHeaderSize = 8
    static let crcSize = 4
    /// Chunks smaller than this are compressed and decompressed on the calling thread: waking
    /// workers for a few microseconds of zstd work costs more than it saves, and on a busy
    /// host each round would wait for a worker to be scheduled.
    static let minParallelChunkSize = 256 << 10

    /// Bounds the reader enforces before allocating anything (and the writer before writing).
    public enum Limits {
        /// A 32-bit guest addresses at most 4 GiB.
        public static let maxRAMSize: UInt64 = 1 << 32
        public static let minChunkSize = 4096
        public static let maxChunkSize = 64 << 20
        public static let maxManifestSize = 16 << 20
        public static let maxSections = 1024
        public static let maxSectionNameLength = 255
        /// VGA memory is the largest device state today (a few MiB).
        public static let maxSectionPayload = 64 << 20
    }

    /// Writes a snapshot of `ram` and `sections` to `path` (atomically: see the type's doc).
    /// `configuration` is stored verbatim in the manifest for restore to compare.
    public static func write(
        to path: String, configuration: JSONValue, partitaVersion: String, sections: [SnapshotSection],
        ram: UnsafeRawBufferPointer, options: SnapshotWriteOptions = SnapshotWriteOptions()
    ) throws(SnapshotFileError) {
        try SnapshotWriter(options: options).write(
            to: path, configuration: configuration, partitaVersion: partitaVersion, sections: sections, ram: ram)
    }

    /// `write` for RAM held in an array.
    public static func write(
        to path: String, configuration: JSONValue, partitaVersion: String, sections: [SnapshotSection],
        ram: [UInt8], options: SnapshotWriteOptions = SnapshotWriteOptions()
    ) throws(SnapshotFileError) {
        var failure: SnapshotFileError?
        ram.withUnsafeBytes { r in
            do throws(SnapshotFileError) {
                try write(to: path, configuration: configuration, partitaVersion: partitaVersion, sections: sections,
                          ram: r, options: options)
            } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Header and manifest only (for `partita snapshot info`): nothing past the manifest is read.
    public static func info(path: String) throws(SnapshotFileError) -> SnapshotReader {
        try SnapshotReader(path: path)
    }

    /// Reads a whole snapshot: RAM straight into `ram` (which must be exactly the snapshot's RAM
    /// size) and the device sections, after checking everything (see `SnapshotReader.read`).
    public static func read(path: String, ramInto ram: UnsafeMutableRawBufferPointer)
        throws(SnapshotFileError) -> (manifest: SnapshotManifest, sections: [SnapshotSection])
    {
        let reader = try SnapshotReader(path: path)
        let sections = try reader.read(ramInto: ram)
        return (reader.manifest, sections)
    }

    /// Whether `n` is an acceptable chunk size (a power of two within the limits).
    static func isValidChunkSize(_ n: Int) -> Bool {
        n >= Limits.minChunkSize && n <= Limits.maxChunkSize && n & (n - 1) == 0
    }
}
