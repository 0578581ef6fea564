// Bulk copies into guest memory for boot loaders (kernels and modules of many MiB).

import EmulatorCore

extension PhysicalMemory {
    /// Copies `bytes` to `address` a page at a time through host pointers where the page is RAM,
    /// through the slow path elsewhere (ROM and unmapped writes are dropped, as for `load`).
    /// Pages holding decoded code are invalidated, as a CPU write would.
    func copyIn(_ bytes: [UInt8], at address: UInt32) {
        bytes.withUnsafeBufferPointer { source in
            forEachPage(from: address, count: source.count) { pointer, offset, count in
                if let pointer {
                    pointer.update(from: source.baseAddress! + offset, count: count)
                } else {
                    load(Array(source[offset..<(offset + count)]), at: address &+ UInt32(offset))
                }
            }
        }
    }

    /// Zero-fills `count` bytes from `address` (a bss), like `copyIn`.
    func zeroFill(at address: UInt32, count: Int) {
        forEachPage(from: address, count: count) { pointer, offset, chunk in
            if let pointer {
                pointer.update(repeating: 0, count: chunk)
            } else {
                for i in 0..<chunk { write(GuestPhysicalAddress(address &+ UInt32(offset + i)), width: .byte, value: 0) }
            }
        }
    }

    /// Calls `body` per page-bounded chunk with a host pointer to its first byte when the page
    /// is RAM (nil otherwise), the chunk's offset from `address`, and its length.
    private func forEachPage(from address: UInt32, count: Int,
                             _ body: (UnsafeMutablePointer<UInt8>?, Int, Int) -> Void) {
        var done = 0
        while done < count {
            let a = address &+ UInt32(done)
            let chunk = min(Int(PhysicalMemory.pageSize - (a & 0xFFF)), count - done)
            let page = Int(a >> PhysicalMemory.pageShift)
            if let host = hostPage(a), host.writable {
                if codePage[page] != 0 { codeWritten(page: page) }
                // SAFETY: `chunk` ends at or before the end of this 4 KiB host page.
                body(host.pointer + Int(a & 0xFFF), done, chunk)
            } else {
                body(nil, done, chunk)
            }
            done += chunk
        }
    }
}
