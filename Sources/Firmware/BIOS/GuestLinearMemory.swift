// Guest memory as a BIOS service sees it: linear addresses of the caller, through its paging.

import EmulatorCore
import X86

/// Reads and writes guest memory at linear addresses the way the calling code sees them: real
/// mode and flat protected mode map linear to physical 1:1; with paging on (a V86 monitor
/// reflecting INT 13h to the BIOS) each page goes through the CPU's page tables. A page that
/// does not translate makes the access fail (the service reports an error to the caller).
/// Physical accesses keep the A20 mask and the ROM/shadow/MMIO map, as the CPU's own would.
struct GuestLinearMemory {
    let cpu: CPU
    let memory: PhysicalMemory

    func physical(_ linear: UInt32, write: Bool) -> UInt32? {
        cpu.physicalAddress(ofLinear: linear, write: write)
    }

    func read8(_ linear: UInt32) -> UInt8? {
        guard let p = physical(linear, write: false) else { return nil }
        return UInt8(truncatingIfNeeded: memory.read(GuestPhysicalAddress(p), width: .byte))
    }

    func read16(_ linear: UInt32) -> UInt16? {
        guard let b = readBytes(linear, count: 2) else { return nil }
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }

    func read32(_ linear: UInt32) -> UInt32? {
        guard let b = readBytes(linear, count: 4) else { return nil }
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    @discardableResult
    func write16(_ linear: UInt32, _ v: UInt16) -> Bool {
        writeBytes(linear, [UInt8(truncatingIfNeeded: v), UInt8(v >> 8)])
    }

    @discardableResult
    func write32(_ linear: UInt32, _ v: UInt32) -> Bool {
        writeBytes(linear, (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) })
    }

    /// `count` bytes from `linear`, page by page; nil if a page does not translate.
    func readBytes(_ linear: UInt32, count: Int) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(count)
        var done = 0
        while done < count {
            let address = linear &+ UInt32(done)
            let chunk = min(count - done, 4096 - Int(address & 0xFFF))
            guard let p = physical(address, write: false) else { return nil }
            for i in 0..<chunk {
                out.append(UInt8(truncatingIfNeeded: memory.read(GuestPhysicalAddress(p &+ UInt32(i)), width: .byte)))
            }
            done += chunk
        }
        return out
    }

    /// Writes `bytes` at `linear`, page by page; false if a page does not translate (pages
    /// before it are written, as a DMA transfer that stops would leave them).
    @discardableResult
    func writeBytes(_ linear: UInt32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let address = linear &+ UInt32(done)
            let chunk = min(bytes.count - done, 4096 - Int(address & 0xFFF))
            guard let p = physical(address, write: true) else { return false }
            var i = 0
            // Whole dwords where aligned (the slow path handles code-page invalidation per store).
            while i < chunk {
                let a = p &+ UInt32(i)
                if a & 3 == 0 && chunk - i >= 4 {
                    let v = UInt32(bytes[done + i]) | UInt32(bytes[done + i + 1]) << 8
                        | UInt32(bytes[done + i + 2]) << 16 | UInt32(bytes[done + i + 3]) << 24
                    memory.write(GuestPhysicalAddress(a), width: .dword, value: v)
                    i += 4
                } else {
                    memory.write(GuestPhysicalAddress(a), width: .byte, value: UInt32(bytes[done + i]))
                    i += 1
                }
            }
            done += chunk
        }
        return true
    }
}
