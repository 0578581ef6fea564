// Why a multiboot kernel could not be loaded.

/// A multiboot kernel that cannot be booted; the message says what is wrong with the input.
public enum MultibootError: Error, CustomStringConvertible, Equatable {
    /// No header with the magic 0x1BADB002 in the first 8192 bytes.
    case noHeader
    /// A header magic whose checksum does not add up (and no valid header elsewhere).
    case badChecksum(offset: Int)
    /// The header requires features (flag bits 0-15) this loader does not provide.
    case unsupportedFlags(UInt32)
    /// The ELF or a.out-kludge layout is malformed.
    case badImage(String)
    /// The kernel, its modules or the boot information do not fit in guest memory.
    case doesNotFit(String)

    public var description: String {
        switch self {
        case .noHeader:
            return "not a multiboot kernel: no multiboot header (magic 0x1BADB002, 4-byte aligned) in the first 8192 bytes"
        case .badChecksum(let offset):
            return "not a multiboot kernel: the multiboot header at offset 0x\(String(offset, radix: 16)) has a bad checksum (magic + flags + checksum must be 0)"
        case .unsupportedFlags(let bits):
            return "unsupported multiboot kernel: it requires features this loader lacks (header flag bits 0x\(String(bits, radix: 16)))"
        case .badImage(let why):
            return "malformed multiboot kernel: \(why)"
        case .doesNotFit(let why):
            return "the multiboot kernel does not fit in memory: \(why)"
        }
    }
}
