// Bounded access to the guest-RAM structures Hyper-V shares with the guest (pages named by GPA).

import EmulatorCore

extension PhysicalMemory {
    /// The address of a `length`-byte structure at `gpa` when it lies inside one RAM page below
    /// 4 GiB; nil for anything else (above 4 GiB, crossing a page, ROM, MMIO, unmapped), so a
    /// guest-chosen GPA can never reach a device register or run past the page.
    func guestRAM(_ gpa: UInt64, length: Int) -> GuestPhysicalAddress? {
        guard length > 0, length <= Int(Self.pageSize), gpa <= 0xFFFF_FFFF,
              Int(gpa & 0xFFF) + length <= Int(Self.pageSize) else { return nil }
        let address = UInt32(gpa)
        guard let page = hostPage(address & a20Mask), page.writable else { return nil }
        return GuestPhysicalAddress(address)
    }

    /// Reads `count` bytes through the slow path (which keeps the A20 mask and code caches right).
    func guestBytes(_ address: GuestPhysicalAddress, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: read(GuestPhysicalAddress(address.value &+ UInt32($0)), width: .byte)) }
    }

    /// Writes `bytes` through the slow path, so decoded-code caches drop the pages they cover.
    func writeGuestBytes(_ bytes: [UInt8], at address: GuestPhysicalAddress) {
        var i = 0
        while i + 4 <= bytes.count {
            let v = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            write(GuestPhysicalAddress(address.value &+ UInt32(i)), width: .dword, value: v)
            i += 4
        }
        while i < bytes.count {
            write(GuestPhysicalAddress(address.value &+ UInt32(i)), width: .byte, value: UInt32(bytes[i]))
            i += 1
        }
    }

    func guestDword(_ address: GuestPhysicalAddress, _ offset: UInt32) -> UInt32 {
        read(GuestPhysicalAddress(address.value &+ offset), width: .dword)
    }

    func setGuestDword(_ address: GuestPhysicalAddress, _ offset: UInt32, _ value: UInt32) {
        write(GuestPhysicalAddress(address.value &+ offset), width: .dword, value: value)
    }
}
