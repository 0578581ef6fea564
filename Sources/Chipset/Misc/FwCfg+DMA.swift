// The fw_cfg DMA interface: requests described by an FWCfgDmaAccess structure in guest RAM.

import EmulatorCore

extension FwCfg {
    /// Size of `FWCfgDmaAccess`: control (u32), length (u32), address (u64), all big-endian.
    static let dmaAccessSize: UInt32 = 16

    /// Runs the request at the latched address and clears the latch (docs/specs/fw_cfg.rst,
    /// "Guest-side DMA Interface"). The guest controls every field, so every range is checked
    /// against guest RAM before anything is copied: a bad request sets the error bit and
    /// changes nothing else. The result goes back into the request's control word.
    func runDMA() {
        let requestAddress = dmaAddress
        dmaAddress = 0
        guard let request = readGuestRAM(at: requestAddress, count: Self.dmaAccessSize) else {
            // The request is not in RAM; report the error if its control word is.
            storeControl(.error, at: requestAddress)
            return
        }
        let control = FwCfgDMAControl(rawValue: Self.be32(request, 0))
        let length = Self.be32(request, 4)
        let address = Self.be64(request, 8)
        if control.contains(.select) { select(control.selector) }

        var result: FwCfgDMAControl = []
        // Read wins over write, write over skip (the spec's precedence).
        if control.contains(.read) {
            if !dmaRead(length: length, into: address) { result = .error }
        } else if control.contains(.write) {
            // Every item is read-only; an empty write succeeds, as in QEMU.
            if length > 0 { result = .error }
        } else if control.contains(.skip) {
            offset = UInt32(min(UInt64(current.count), UInt64(offset) + UInt64(length)))
        }
        storeControl(result, at: requestAddress)
    }

    /// Copies `length` bytes of the selected item to `address`; bytes past the item's end
    /// arrive as zeros. Returns false, copying nothing, unless the whole range is guest RAM.
    private func dmaRead(length: UInt32, into address: UInt64) -> Bool {
        guard length > 0 else { return true }
        guard isGuestRAM(address, count: length) else { return false }
        let available = UInt32(current.count) - offset
        let copied = min(length, available)
        let start = Int(offset)
        current.withUnsafeBufferPointer { item in
            copyIntoGuest(UnsafeBufferPointer(rebasing: item[start..<(start + Int(copied))]), at: UInt32(address))
        }
        zeroGuest(at: UInt32(address) + copied, count: length - copied)
        offset += copied
        return true
    }

    /// Whether [address, address + count) lies wholly in writable guest RAM (no ROM, MMIO or
    /// unmapped page, nothing above 4 GiB).
    func isGuestRAM(_ address: UInt64, count: UInt32) -> Bool {
        guard count > 0 else { return true }
        let (end, overflow) = address.addingReportingOverflow(UInt64(count))
        guard !overflow, end <= UInt64(memory.ramSize) else { return false }
        var page = address & ~UInt64(PhysicalMemory.pageSize - 1)
        while page < end {
            guard let host = memory.hostPage(UInt32(page)), host.writable else { return false }
            page += UInt64(PhysicalMemory.pageSize)
        }
        return true
    }

    /// Reads `count` bytes of guest RAM, or nil unless they are all RAM.
    private func readGuestRAM(at address: UInt64, count: UInt32) -> [UInt8]? {
        guard isGuestRAM(address, count: count) else { return nil }
        return memory.bytes(at: UInt32(address), count: Int(count))
    }

    /// Writes the request's result, big-endian, when its control word is guest RAM.
    private func storeControl(_ control: FwCfgDMAControl, at address: UInt64) {
        guard isGuestRAM(address, count: 4) else { return }
        let v = control.rawValue
        memory.load([UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)],
                    at: UInt32(address))
    }

    /// Copies into RAM page by page through host pointers. The caller has checked the range with
    /// `isGuestRAM`. Pages holding decoded code are invalidated, as a CPU write would.
    private func copyIntoGuest(_ bytes: UnsafeBufferPointer<UInt8>, at address: UInt32) {
        var done = 0
        while done < bytes.count {
            let a = address + UInt32(done)
            let chunk = min(Int(PhysicalMemory.pageSize - (a & 0xFFF)), bytes.count - done)
            // SAFETY: `isGuestRAM` checked that this page is RAM; `chunk` stays inside it.
            let page = memory.hostPage(a)!.pointer
            if memory.codePage[Int(a >> 12)] != 0 { memory.codeWritten(page: Int(a >> 12)) }
            (page + Int(a & 0xFFF)).update(from: bytes.baseAddress! + done, count: chunk)
            done += chunk
        }
    }

    /// Zero-fills RAM the caller checked with `isGuestRAM`.
    private func zeroGuest(at address: UInt32, count: UInt32) {
        var done: UInt32 = 0
        while done < count {
            let a = address + done
            let chunk = min(PhysicalMemory.pageSize - (a & 0xFFF), count - done)
            // SAFETY: as in `copyIntoGuest`.
            let page = memory.hostPage(a)!.pointer
            if memory.codePage[Int(a >> 12)] != 0 { memory.codeWritten(page: Int(a >> 12)) }
            (page + Int(a & 0xFFF)).update(repeating: 0, count: Int(chunk))
            done += chunk
        }
    }

    static func be32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
    }

    static func be64(_ b: [UInt8], _ o: Int) -> UInt64 {
        UInt64(be32(b, o)) << 32 | UInt64(be32(b, o + 4))
    }
}
