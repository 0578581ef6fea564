// Test helper: the guest's side of one VMBus ring (what Linux's ring_buffer.c does).

import EmulatorCore
import VMBus

/// One direction of a channel seen from the guest, over the ring's PFNs (header page first).
/// Byte-by-byte through `PhysicalMemory`, so it works on scattered pages. No validation beyond
/// what Linux does: hostile tests poke the header directly.
public struct GuestRing {
    public let memory: PhysicalMemory
    public let pfns: [UInt64]
    public var dataSize: Int { (pfns.count - 1) * 4096 }

    public init(memory: PhysicalMemory, pfns: [UInt64]) {
        self.memory = memory
        self.pfns = pfns
    }

    func address(page: Int, _ offset: Int) -> GuestPhysicalAddress {
        GuestPhysicalAddress(UInt32(pfns[page] << 12) + UInt32(offset))
    }

    public func header(_ offset: Int) -> UInt32 { memory.read(address(page: 0, offset), width: .dword) }
    public func setHeader(_ offset: Int, _ value: UInt32) { memory.write(address(page: 0, offset), width: .dword, value: value) }

    public var writeIndex: UInt32 { get { header(0) } nonmutating set { setHeader(0, newValue) } }
    public var readIndex: UInt32 { get { header(4) } nonmutating set { setHeader(4, newValue) } }
    public var interruptMask: UInt32 { get { header(8) } nonmutating set { setHeader(8, newValue) } }
    public var pendingSendSize: UInt32 { get { header(12) } nonmutating set { setHeader(12, newValue) } }
    public var featureBits: UInt32 { get { header(64) } nonmutating set { setHeader(64, newValue) } }

    /// hv_ringbuffer_init: indices 0, pending_send_sz supported.
    public func initialise() {
        for offset in stride(from: 0, to: 4096, by: 4) { setHeader(offset, 0) }
        featureBits = 1
    }

    func dataAddress(_ index: Int) -> GuestPhysicalAddress {
        let i = index % dataSize
        return address(page: 1 + i / 4096, i % 4096)
    }

    public func readData(_ index: Int, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(memory.read(dataAddress(index + $0), width: .byte)) }
    }

    public func writeData(_ bytes: [UInt8], at index: Int) {
        for (i, b) in bytes.enumerated() { memory.write(dataAddress(index + i), width: .byte, value: UInt32(b)) }
    }

    public var bytesUsed: Int { (Int(writeIndex) - Int(readIndex) + dataSize) % dataSize }

    /// hv_ringbuffer_write: packet + trailer if free space is strictly greater; returns
    /// (written, signal) where signal follows hv_signal_on_write (mask clear and was empty).
    public func write(_ packet: VMBusPacket) -> (written: Bool, signal: Bool) {
        let headerLength = (16 + packet.headerExtension.count + 7) & ~7
        let length = headerLength + ((packet.payload.count + 7) & ~7)
        let total = length + 8
        let write = Int(writeIndex)
        let read = Int(readIndex)
        guard dataSize - bytesUsed > total else { return (false, false) }
        var bytes = [UInt8](repeating: 0, count: total)
        func put16(_ o: Int, _ v: UInt16) { bytes[o] = UInt8(v & 0xFF); bytes[o + 1] = UInt8(v >> 8) }
        put16(0, packet.type.rawValue)
        put16(2, UInt16(headerLength / 8))
        put16(4, UInt16(length / 8))
        put16(6, packet.flags)
        for i in 0..<8 { bytes[8 + i] = UInt8(truncatingIfNeeded: packet.transactionID >> (8 * UInt64(i))) }
        bytes.replaceSubrange(16..<16 + packet.headerExtension.count, with: packet.headerExtension)
        bytes.replaceSubrange(headerLength..<headerLength + packet.payload.count, with: packet.payload)
        let trailer = UInt64(write) << 32
        for i in 0..<8 { bytes[length + i] = UInt8(truncatingIfNeeded: trailer >> (8 * UInt64(i))) }
        writeData(bytes, at: write)
        writeIndex = UInt32((write + total) % dataSize)
        return (true, interruptMask == 0 && write == read)
    }

    /// hv_pkt_iter_first / next: the next packet, or nil when empty.
    public func read() -> VMBusPacket? {
        guard bytesUsed >= 24 else { return nil }
        let start = Int(readIndex)
        let d = readData(start, 16)
        let type = UInt16(d[0]) | UInt16(d[1]) << 8
        let offset = Int(UInt16(d[2]) | UInt16(d[3]) << 8) * 8
        let length = Int(UInt16(d[4]) | UInt16(d[5]) << 8) * 8
        let flags = UInt16(d[6]) | UInt16(d[7]) << 8
        var tid: UInt64 = 0
        for i in 0..<8 { tid |= UInt64(d[8 + i]) << (8 * UInt64(i)) }
        guard length >= 16, length + 8 <= bytesUsed, offset >= 16, offset <= length else { return nil }
        let body = readData(start + 16, length - 16)
        readIndex = UInt32((start + length + 8) % dataSize)
        return VMBusPacket(type: VMBusPacketType(rawValue: type), flags: flags, transactionID: tid,
                           headerExtension: Array(body[0..<offset - 16]), payload: Array(body[(offset - 16)...]))
    }
}
