// The ring buffer against the guest's model of it: layout, wrap, signalling, untrusted indices.

import EmulatorCore
import TestSupport
import Testing
@testable import VMBus

@Suite("VMBus ring buffer")
struct RingBufferTests {
    let memory = PhysicalMemory(ramSize: 4 << 20)

    /// A 3-page ring (8 KiB data) on scattered pages, initialised the way Linux does.
    func ring(pages: [UInt64] = [0x120, 0x110, 0x135]) -> GuestRing {
        let g = GuestRing(memory: memory, pfns: pages)
        g.initialise()
        return g
    }

    @Test("host reads what the guest wrote, in order, across non-contiguous pages and the wrap")
    func readWrap() throws {
        let g = ring()
        var host = try RingBuffer(memory: memory, pfns: g.pfns, direction: .guestToHost)
        #expect(host.dataSize == 8192)
        var sent = 0
        var got: [VMBusPacket] = []
        for round in 0..<40 {
            let payload = (0..<(300 + round * 7)).map { UInt8(truncatingIfNeeded: $0 &+ round) }
            let p = VMBusPacket.inband(payload, transactionID: UInt64(round), completionRequested: round % 2 == 0)
            #expect(g.write(p).written)
            sent += 1
            while let r = try host.readPacket() { got.append(r) }
        }
        #expect(got.count == sent)
        for (i, p) in got.enumerated() {
            #expect(p.transactionID == UInt64(i) && p.type == .dataInband && p.completionRequested == (i % 2 == 0))
            #expect(Array(p.payload.prefix(300 + i * 7)) == (0..<(300 + i * 7)).map { UInt8(truncatingIfNeeded: $0 &+ i) })
        }
        #expect(g.readIndex == g.writeIndex, "host published its read index")
    }

    @Test("host writes packets the guest reads, with an 8-byte trailer holding the start offset")
    func writeLayout() throws {
        let g = ring()
        var host = try RingBuffer(memory: memory, pfns: g.pfns, direction: .hostToGuest)
        #expect(try host.writePacket(.completion([1, 2, 3], transactionID: 0xABCD)))
        #expect(g.writeIndex == 16 + 8 + 8)
        let trailer = g.readData(24, 8)
        #expect(trailer == [0, 0, 0, 0, 0, 0, 0, 0], "first packet starts at 0")
        #expect(try host.writePacket(.inband([4], transactionID: 1)) == false, "ring not empty: no signal")
        #expect(g.readData(32 + 24, 8) == [0, 0, 0, 0, 32, 0, 0, 0])
        let p = g.read()
        #expect(p?.type == .completion && p?.transactionID == 0xABCD && Array(p!.payload.prefix(3)) == [1, 2, 3])
        #expect(g.read()?.payload.first == 4)
        #expect(g.read() == nil)
    }

    @Test("signal only when the guest's interrupt mask is clear and the ring was empty")
    func signalRules() throws {
        let g = ring()
        var host = try RingBuffer(memory: memory, pfns: g.pfns, direction: .hostToGuest)
        g.interruptMask = 1
        #expect(try host.writePacket(.inband([1], transactionID: 0)) == false)
        _ = g.read()
        g.interruptMask = 0
        #expect(try host.writePacket(.inband([1], transactionID: 0)) == true)
        #expect(try host.writePacket(.inband([1], transactionID: 0)) == false)
    }

    @Test("a full ring is refused (never filled completely) and pending_send_sz is set, then cleared")
    func fullRing() throws {
        let g = ring()
        var host = try RingBuffer(memory: memory, pfns: g.pfns, direction: .hostToGuest)
        let big = [UInt8](repeating: 7, count: 4096 - 24)  // 4096 bytes with descriptor and trailer
        #expect(try host.writePacket(.inband(big, transactionID: 0)))
        #expect(throws: RingBufferError.insufficientSpace(needed: 4096)) { try host.writePacket(.inband(big, transactionID: 1)) }
        #expect(g.pendingSendSize == 4096)
        _ = g.read()
        #expect(try host.writePacket(.inband(big, transactionID: 1)))
        #expect(g.pendingSendSize == 0)
        #expect(throws: RingBufferError.packetTooLarge(16 + 8192 + 8)) {
            try host.writePacket(.inband([UInt8](repeating: 0, count: 8192), transactionID: 1))
        }
    }

    @Test("the guest's pending_send_sz is answered once reading frees enough space")
    func pendingSendSize() throws {
        let g = ring()
        var host = try RingBuffer(memory: memory, pfns: g.pfns, direction: .guestToHost)
        for i in 0..<7 { #expect(g.write(.inband([UInt8](repeating: 1, count: 1000), transactionID: UInt64(i))).written) }
        g.pendingSendSize = 3000
        var signalled = 0
        while true {
            let before = try host.bytesFree()
            guard try host.readPacket() != nil else { break }
            if try host.producerShouldBeSignalled(freeBefore: before) { signalled += 1 }
        }
        #expect(signalled == 1)
    }

    @Test("guest indices outside the data area or misaligned are errors, never host accesses")
    func badIndices() throws {
        let g = ring()
        var host = try RingBuffer(memory: memory, pfns: g.pfns, direction: .guestToHost)
        g.writeIndex = 0xFFFF_FFF8
        #expect(throws: RingBufferError.indexOutOfRange(0xFFFF_FFF8)) { try host.readPacket() }
        g.writeIndex = 12
        #expect(throws: RingBufferError.indexOutOfRange(12)) { try host.readPacket() }
        g.readIndex = 0x10_0000
        #expect(throws: RingBufferError.indexOutOfRange(0x10_0000)) {
            try RingBuffer(memory: memory, pfns: g.pfns, direction: .guestToHost)
        }
        var out = try RingBuffer(memory: memory, pfns: g.pfns, direction: .hostToGuest, hostIndex: 0)
        #expect(throws: RingBufferError.indexOutOfRange(0x10_0000)) { try out.writePacket(.inband([1], transactionID: 0)) }
    }

    @Test("descriptors with huge or tiny lengths are malformed")
    func malformedDescriptors() throws {
        let g = ring()
        var host = try RingBuffer(memory: memory, pfns: g.pfns, direction: .guestToHost)
        #expect(g.write(.inband([1, 2, 3], transactionID: 9)).written)
        g.writeData([0xFF, 0xFF], at: 4)  // len8 = 0xFFFF
        #expect(throws: RingBufferError.self) { try host.readPacket() }
        g.writeData([0x01, 0x00], at: 4)  // len8 = 1 (< descriptor)
        #expect(throws: RingBufferError.self) { try host.readPacket() }
        g.writeData([0x04, 0x00, 0x03, 0x00], at: 2)  // offset8 4 > len8 3
        #expect(throws: RingBufferError.self) { try host.readPacket() }
        g.writeData([0x02, 0x00, 0x03, 0x00], at: 2)
        #expect(try host.readPacket()?.transactionID == 9)
    }

    @Test("rings on pages that are not RAM, or too few pages, are refused")
    func badPages() {
        #expect(throws: RingBufferError.invalidPages) { try RingBuffer(memory: memory, pfns: [0x100], direction: .guestToHost) }
        #expect(throws: RingBufferError.invalidPages) {
            try RingBuffer(memory: memory, pfns: [0x100, 0xF_FFFF], direction: .guestToHost)
        }
        #expect(throws: RingBufferError.invalidPages) {
            try RingBuffer(memory: memory, pfns: [0x100, 0x1_0000_0000], direction: .guestToHost)
        }
        #expect(GuestBuffer(memory: memory, pfns: [0x100], byteOffset: 0, length: 4097) == nil)
        let b = GuestBuffer(memory: memory, pfns: [0x100, 0x200], byteOffset: 4000, length: 200)!
        #expect(b.write([1, 2, 3], at: 198) == false)
        #expect(b.write([1, 2], at: 95))
        #expect(memory.bytes(at: 0x100FFF, count: 1) == [1] && memory.bytes(at: 0x200000, count: 1) == [2])
        #expect(b.read(at: -1, count: 2) == nil && b.read(at: 0, count: Int.max) == nil)
    }

    @Test("host runs: neighbouring RAM pages coalesce, others split, in buffer order and bounds")
    func hostRuns() throws {
        // 0x100–0x102 contiguous, then 0x181 before 0x180 (adjacent but descending), then 0x150.
        let pfns: [UInt64] = [0x100, 0x101, 0x102, 0x181, 0x180, 0x150]
        let b = try #require(GuestBuffer(memory: memory, pfns: pfns, byteOffset: 0x300, length: 6 * 4096 - 0x300 - 0x500))
        func runs(at offset: Int, count: Int) -> [(address: Int, count: Int)]? {
            var seen: [(address: Int, count: Int)]?
            let ok = b.withHostRuns(at: offset, count: count, modifying: false) { runs in
                #expect(seen == nil, "one call")
                seen = runs.map { (UnsafeMutableRawPointer(memory.ram).distance(to: $0.baseAddress!), $0.count) }
            }
            return ok ? seen : nil
        }
        let whole = try #require(runs(at: 0, count: b.length))
        #expect(whole.map(\.address) == [0x100300, 0x181000, 0x180000, 0x150000])
        #expect(whole.map(\.count) == [3 * 4096 - 0x300, 4096, 4096, 4096 - 0x500])
        // A sub-range starting mid-page and ending inside the contiguous run.
        let part = try #require(runs(at: 0x1000, count: 0x1800))
        #expect(part.map(\.address) == [0x101300] && part.map(\.count) == [0x1800])
        #expect(runs(at: 5, count: 0)?.isEmpty == true)
        #expect(!b.withHostRuns(at: 1, count: b.length, modifying: false) { _ in Issue.record("out of bounds") })
        #expect(!b.withHostRuns(at: -1, count: 2, modifying: false) { _ in Issue.record("out of bounds") })
    }

    @Test("host runs drop decoded code only when modifying; a page that stopped being RAM lends nothing")
    func hostRunsCodeAndNonRAM() throws {
        let b = try #require(GuestBuffer(memory: memory, pfns: [0x120, 0xC0, 0x121]))
        for page in [0x120, 0xC0, 0x121, 0x122] { memory.markCodePage(page) }
        let generation = memory.codeGeneration[0x120]
        #expect(b.withHostRuns(at: 0, count: 4096, modifying: false) { _ in })
        #expect(memory.codePage[0x120] != 0, "reading guest memory leaves its code alone")
        #expect(b.withHostRuns(at: 0, count: b.length, modifying: true) { _ in })
        #expect(memory.codePage[0x120] == 0 && memory.codePage[0xC0] == 0 && memory.codePage[0x121] == 0)
        #expect(memory.codeGeneration[0x120] == generation &+ 1)
        #expect(memory.codePage[0x122] != 0, "a page outside the buffer keeps its code")
        // Page 0xC0 becomes read-only shadow RAM (ROM) after the buffer was built.
        memory.setShadow(base: 0xC0000, size: 0x1000, readRAM: true, writeRAM: false)
        #expect(!b.withHostRuns(at: 0, count: b.length, modifying: true) { _ in Issue.record("lent a ROM page") })
        #expect(!b.withHostRuns(at: 4096, count: 1, modifying: false) { _ in Issue.record("lent a ROM page") })
        var seen = 0
        #expect(b.withHostRuns(at: 0, count: 4096, modifying: true) { runs in seen += runs.reduce(0) { $0 + $1.count } })
        #expect(seen == 4096, "the pages before it still work")
    }
}
