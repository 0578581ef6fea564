// Line-buffered output to a host file descriptor, shared by the file and stdio serial backends.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects bytes and writes them to `descriptor` at each line feed, when the buffer fills, or on
/// `flush()`, so a console does not cost one system call per character.
struct BufferedDescriptorWriter {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    static let capacity = 4096

    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(Self.capacity)
    }

    var pendingCount: Int { buffer.count }

    mutating func append(_ byte: UInt8) {
        buffer.append(byte)
        if byte == 0x0A || buffer.count >= Self.capacity { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    // A host write error (full disk, closed pipe) drops this output rather than
                    // stalling the guest; the port keeps working.
                    return
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
