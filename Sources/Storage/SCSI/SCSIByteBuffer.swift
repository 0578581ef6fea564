// A SCSI data buffer held in host memory.

/// An in-memory `SCSIDataBuffer` (commands without guest memory, tests).
public final class SCSIByteBuffer: SCSIDataBuffer {
    public var bytes: [UInt8]

    public init(length: Int) { bytes = [UInt8](repeating: 0, count: max(0, length)) }
    public init(bytes: [UInt8]) { self.bytes = bytes }

    public var length: Int { bytes.count }

    public func read(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else { return nil }
        return Array(bytes[offset..<offset + count])
    }

    public func write(_ data: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset <= bytes.count - data.count else { return false }
        bytes.replaceSubrange(offset..<offset + data.count, with: data)
        return true
    }
}
