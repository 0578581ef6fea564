// Size and checksum of an input file a machine was built from, as a snapshot records it.

/// A kernel, initrd, module or firmware image, described instead of stored. Kernel, initrd and
/// modules are already in guest RAM after loading, so a snapshot needs only this to tell a
/// person which files it came from. (The firmware image is not in RAM and is stored whole, in
/// the "rom" section; its summary is here for the same reason.)
public struct BlobSummary: Codable, Equatable, Sendable {
    public var size: Int
    /// CRC-32 (zlib) as 8 hex digits.
    public var crc32: String
    /// A multiboot module's command line.
    public var commandLine: String?

    public init(_ bytes: [UInt8], commandLine: String? = nil) {
        size = bytes.count
        crc32 = ContentHash.crc32(bytes)
        self.commandLine = commandLine
    }
}
