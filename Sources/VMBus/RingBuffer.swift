// One direction of a channel: the Linux VMBus ring buffer over a GPADL's guest pages.

import EmulatorCore

/// A ring buffer as Linux lays it out (`struct hv_ring_buffer`, vmbus-facts.md §10.1): page 0
/// is the header — u32 write_index @0, u32 read_index @4, u32 interrupt_mask @8, u32
/// pending_send_sz @12, u32 feature_bits @64 — and the remaining pages are the data area of
/// `dataSize` bytes. Indices are byte offsets into the data area. Packets are 8-byte aligned,
/// followed by an 8-byte trailer (start offset << 32), and wrap around the end of the data area.
///
/// The host owns one index — the read index of the guest-to-host ring, the write index of the
/// host-to-guest ring — and keeps it in `hostIndex`, writing it to the header but never
/// reading it back, so a guest scribbling over it cannot move the host. The guest's index is
/// read on every operation and checked (inside the data area, 8-byte aligned); a bad one fails
/// the operation with `RingBufferError.indexOutOfRange`.
public struct RingBuffer {
    public enum Direction: String, Codable, Sendable {
        /// Guest writes, host reads ("upstream", the first pages of the ring GPADL).
        case guestToHost
        /// Host writes, guest reads ("downstream").
        case hostToGuest
    }

    /// Header field offsets.
    public enum Header {
        public static let writeIndex = 0
        public static let readIndex = 4
        public static let interruptMask = 8
        public static let pendingSendSize = 12
        public static let featureBits = 64
        /// feature_bits bit 0: the reader honours pending_send_sz.
        public static let featurePendingSendSize: UInt32 = 1
    }

    public static let trailerSize = 8

    public let direction: Direction
    let header: GuestBuffer
    let data: GuestBuffer
    /// Bytes in the data area (pages − 1) × 4096.
    public let dataSize: Int
    /// The host's own index (read index for guest-to-host, write index for host-to-guest).
    public private(set) var hostIndex: UInt32

    /// A ring over `pfns` (header page first). Takes the host's index from the header as the
    /// guest initialised it (Linux: 0); throws when there are fewer than 2 pages, a page is
    /// not RAM, or that index is out of range.
    public init(memory: PhysicalMemory, pfns: [UInt64], direction: Direction, hostIndex: UInt32? = nil) throws(RingBufferError) {
        guard pfns.count >= 2,
              let header = GuestBuffer(memory: memory, pfns: [pfns[0]]),
              let data = GuestBuffer(memory: memory, pfns: Array(pfns[1...])) else { throw .invalidPages }
        self.direction = direction
        self.header = header
        self.data = data
        dataSize = data.length
        let field = direction == .guestToHost ? Header.readIndex : Header.writeIndex
        let index: UInt32
        if let hostIndex {
            index = hostIndex
        } else {
            guard let i = header.load32(at: field) else { throw .invalidPages }
            index = i
        }
        guard Int(index) < dataSize, index % 8 == 0 else { throw .indexOutOfRange(index) }
        self.hostIndex = index
    }

    // MARK: Header fields

    func headerField(_ offset: Int) throws(RingBufferError) -> UInt32 {
        guard let v = header.load32(at: offset) else { throw .invalidPages }
        return v
    }

    /// The guest's index (write index of guest-to-host, read index of host-to-guest), checked.
    func guestIndex() throws(RingBufferError) -> UInt32 {
        let i = try headerField(direction == .guestToHost ? Header.writeIndex : Header.readIndex)
        guard Int(i) < dataSize, i % 8 == 0 else { throw .indexOutOfRange(i) }
        return i
    }

    /// The consumer's "don't signal me" flag.
    public func interruptMask() throws(RingBufferError) -> UInt32 { try headerField(Header.interruptMask) }
    /// Bytes the producer waits for (0 = not waiting).
    public func pendingSendSize() throws(RingBufferError) -> UInt32 { try headerField(Header.pendingSendSize) }
    public func featureBits() throws(RingBufferError) -> UInt32 { try headerField(Header.featureBits) }

    /// Bytes between the read and write indices.
    public func bytesUsed() throws(RingBufferError) -> Int {
        let g = Int(try guestIndex())
        let h = Int(hostIndex)
        let (read, write) = direction == .guestToHost ? (h, g) : (g, h)
        return (write - read + dataSize) % dataSize
    }

    public func bytesFree() throws(RingBufferError) -> Int { dataSize - (try bytesUsed()) }

    public func isEmpty() throws(RingBufferError) -> Bool { try bytesUsed() == 0 }

    // MARK: Data area (wrapping)

    func readData(at index: Int, count: Int) throws(RingBufferError) -> [UInt8] {
        let first = min(count, dataSize - index)
        guard var out = data.read(at: index, count: first) else { throw .invalidPages }
        if first < count {
            guard let rest = data.read(at: 0, count: count - first) else { throw .invalidPages }
            out += rest
        }
        return out
    }

    func writeData(_ bytes: [UInt8], at index: Int) throws(RingBufferError) {
        let first = min(bytes.count, dataSize - index)
        guard data.write(Array(bytes[0..<first]), at: index) else { throw .invalidPages }
        if first < bytes.count {
            guard data.write(Array(bytes[first...]), at: 0) else { throw .invalidPages }
        }
    }

    // MARK: Host as consumer (guest-to-host ring)

    /// The next packet, or nil when the ring is empty. Advances and publishes the read index.
    /// Throws for a packet whose lengths do not fit (len8×8 < 16 or past the written bytes,
    /// offset8×8 < 16 or > len8×8).
    public mutating func readPacket() throws(RingBufferError) -> VMBusPacket? {
        precondition(direction == .guestToHost, "the host reads only the guest-to-host ring")
        let used = try bytesUsed()
        guard used > 0 else { return nil }
        guard used >= VMBusPacket.descriptorSize + Self.trailerSize else {
            throw .malformedPacket("\(used) bytes in the ring are less than one packet")
        }
        let start = Int(hostIndex)
        let d = try readData(at: start, count: VMBusPacket.descriptorSize)
        let offset = Int(d.le16(2)) * 8
        let length = Int(d.le16(4)) * 8
        guard length >= VMBusPacket.descriptorSize, length + Self.trailerSize <= used else {
            throw .malformedPacket("len8×8 = \(length) with \(used) bytes in the ring")
        }
        guard offset >= VMBusPacket.descriptorSize, offset <= length else {
            throw .malformedPacket("offset8×8 = \(offset) outside 16...\(length)")
        }
        let body = try readData(at: (start + VMBusPacket.descriptorSize) % dataSize,
                                count: length - VMBusPacket.descriptorSize)
        let ext = Array(body[0..<(offset - VMBusPacket.descriptorSize)])
        let payload = Array(body[(offset - VMBusPacket.descriptorSize)...])
        hostIndex = UInt32((start + length + Self.trailerSize) % dataSize)
        guard header.store32(hostIndex, at: Header.readIndex) else { throw .invalidPages }
        return VMBusPacket(type: VMBusPacketType(rawValue: d.le16(0)), flags: d.le16(6), transactionID: d.le64(8),
                           headerExtension: ext, payload: payload)
    }

    /// After reading: whether the guest producer waits for space (pending_send_sz non-zero) and
    /// the free space crossed it since `freeBefore` — then the host must signal the guest.
    public func producerShouldBeSignalled(freeBefore: Int) throws(RingBufferError) -> Bool {
        let pending = Int(try pendingSendSize())
        guard pending != 0 else { return false }
        let free = try bytesFree()
        // A writer needs strictly more free space than it asks for (§10.1), hence > and ≤.
        return freeBefore <= pending && free > pending
    }

    // MARK: Host as producer (host-to-guest ring)

    /// Writes `packet` and its trailer, then publishes the write index. Returns whether the
    /// guest must be signalled: its interrupt mask is clear and the ring was empty before.
    /// Throws `insufficientSpace` (after setting pending_send_sz if the guest supports it)
    /// unless the free space is strictly greater than the packet plus trailer.
    public mutating func writePacket(_ packet: VMBusPacket) throws(RingBufferError) -> Bool {
        precondition(direction == .hostToGuest, "the host writes only the host-to-guest ring")
        let headerLength = VMBusPacket.roundUp8(VMBusPacket.descriptorSize + packet.headerExtension.count)
        let length = packet.encodedLength
        let total = length + Self.trailerSize
        guard total < dataSize, length / 8 <= Int(UInt16.max), headerLength / 8 <= Int(UInt16.max) else {
            throw .packetTooLarge(total)
        }
        let read = Int(try guestIndex())
        let write = Int(hostIndex)
        let free = dataSize - (write - read + dataSize) % dataSize
        guard free > total else {
            if try featureBits() & Header.featurePendingSendSize != 0 {
                header.store32(UInt32(total), at: Header.pendingSendSize)
            }
            throw .insufficientSpace(needed: total)
        }
        var bytes = [UInt8](repeating: 0, count: total)
        bytes.setLE16(0, packet.type.rawValue)
        bytes.setLE16(2, UInt16(headerLength / 8))
        bytes.setLE16(4, UInt16(length / 8))
        bytes.setLE16(6, packet.flags)
        bytes.setLE64(8, packet.transactionID)
        bytes.setBytes(VMBusPacket.descriptorSize, packet.headerExtension)
        bytes.setBytes(headerLength, packet.payload)
        bytes.setLE64(length, UInt64(write) << 32)
        try writeData(bytes, at: write)
        hostIndex = UInt32((write + total) % dataSize)
        guard header.store32(hostIndex, at: Header.writeIndex) else { throw .invalidPages }
        if try pendingSendSize() != 0 { header.store32(0, at: Header.pendingSendSize) }
        return try interruptMask() == 0 && write == read
    }
}
