// Size and checksum of an input file a machine was built from, as a snapshot records it.

/// A kernel, initrd, module or firmware image, described instead of stored. Kernel, initrd and
/// modules are already in guest RAM after loading, so a snapshot needs only this to tell a
/// person which files it came from. (The firmware image is not in RAM and is stored whole, in
/// the "rom" section; its summary is here for the same reason.)
public struct BlobSummary: Codable, Equatable, Sendable {
    public var size: Int
    /// Adler-32 (zlib) as 8 hex digits. Not CRC-32: a Linux bzImage carries a trailing CRC that
    /// makes its CRC-32 the constant 0xFFFFFFFF, which would tell no two kernels apart.
    public var adler32: String
    /// A multiboot module's command line.
    public var commandLine: String?

    public init(_ bytes: [UInt8], commandLine: String? = nil) {
        size = bytes.count
        adler32 = ContentHash.adler32(bytes)
        self.commandLine = commandLine
    }
}
