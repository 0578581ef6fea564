// A serial backend that appends the guest's output to a host file.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends every transmitted byte to a file (created if missing), line-buffered; receives nothing.
public final class FileSerialBackend: SerialBackend {
    public let path: String
    private var writer: BufferedDescriptorWriter

    /// Opens `path` for appending. Throws `SerialBackendError.cannotOpen` if that fails.
    public init(path: String) throws(SerialBackendError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        writer = BufferedDescriptorWriter(descriptor: fd)
    }

    deinit {
        writer.flush()
        close(writer.descriptor)
    }

    public func transmit(_ byte: UInt8) { writer.append(byte) }

    /// Writes out a partial line (the machine calls this when it pauses or stops).
    public func flush() { writer.flush() }
}
