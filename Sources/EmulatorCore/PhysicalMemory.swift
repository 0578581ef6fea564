// Guest-physical memory: RAM, ROM and MMIO regions, with a per-page map for the CPU's fast path.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The guest-physical address space of a 32-bit PC.
///
/// RAM and ROM live in manually allocated host storage; each 4 KiB page of the 4 GiB space has a
/// map entry saying whether it is RAM, ROM (read-only), MMIO or unmapped. The CPU's soft TLB caches
/// host pointers for RAM and ROM pages and falls back to `read`/`write` for everything else.
/// Unmapped reads float high; unmapped writes and writes to ROM are dropped.
public final class PhysicalMemory {
    /// `shadowWrite`: reads come from the page's host pointer (the ROM mapped there, or float
    /// high without one) while writes go to the RAM underneath — the chipset's shadow-RAM mode
    /// that firmware uses to copy itself into RAM (see `setShadow`).
    public enum PageKind: UInt8 { case ram = 0, rom = 1, mmio = 2, unmapped = 3, shadowWrite = 4 }

    public static let pageShift: UInt32 = 12
    public static let pageSize: UInt32 = 4096
    @usableFromInline static let pageCount = 1 << 20

    /// Bytes of RAM, starting at physical address 0 (the machine decides what it hides).
    public let ramSize: UInt32
    /// SAFETY: `ramSize` bytes (at least one page), mapped in `init`, unmapped in `deinit`.
    public let ram: UnsafeMutablePointer<UInt8>
    private let ramMappingSize: Int
    /// Host pointer per page for RAM/ROM pages, nil otherwise.
    @usableFromInline let pageHost: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    @usableFromInline let pageKind: UnsafeMutablePointer<UInt8>

    /// Pages holding decoded guest code: 1 byte per page (SAFETY: `pageCount` entries).
    /// Writes to such a page bump its generation and clear the mark, so decoded-code caches
    /// drop what they decoded from it (self-modifying code, DMA over code).
    public let codePage: UnsafeMutablePointer<UInt8>
    /// Per-page generation, incremented on every write to a code page (SAFETY: `pageCount` entries).
    public let codeGeneration: UnsafeMutablePointer<UInt32>
    /// Writes to code pages so far (every page's generation bumps summed): a decoded-code cache
    /// that links blocks to each other checks this one counter instead of each page's generation.
    public let codeWrites: UnsafeMutablePointer<UInt64>
    /// Per page, one bit per 64-byte line that decoded code was taken from (meaningful while
    /// `codePage` is set). A store elsewhere in the page leaves the decoded code valid, so code
    /// and data sharing a page do not rebuild blocks on every store (SAFETY: `pageCount`
    /// entries, anonymous memory mapped in `init`).
    public let codeLines: UnsafeMutablePointer<UInt64>

    private struct MMIORegion { var base: UInt32; var size: UInt32; var device: MMIODevice }
    private var mmio: [MMIORegion] = []
    private var roms: [(base: UInt32, storage: UnsafeMutablePointer<UInt8>, size: Int)] = []
    /// Host memory of devices mapped as RAM pages (`mapDeviceMemory`).
    private var deviceRegions: [(base: UInt32, size: UInt32)] = []

    /// Address mask applied by the A20 gate (bit 20 cleared while the gate is closed).
    public private(set) var a20Mask: UInt32 = 0xFFFF_FFFF
    /// Called whenever the page map or the A20 gate changes, so cached translations can be dropped.
    public var mappingObservers: [() -> Void] = []

    public init(ramSize: UInt32) {
        precondition(ramSize % PhysicalMemory.pageSize == 0, "RAM size must be a multiple of 4 KiB")
        self.ramSize = ramSize
        // Anonymous memory: zero-filled by the host kernel page by page on first touch, so a
        // large guest costs nothing until it uses its RAM (and a restore skips zero chunks).
        ramMappingSize = Int(max(ramSize, Self.pageSize))
        guard let mapping = mmap(nil, ramMappingSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapping != MAP_FAILED else {
            fatalError("cannot map \(ramMappingSize) bytes of guest RAM: errno \(errno)")
        }
        ram = mapping.assumingMemoryBound(to: UInt8.self)
        pageHost = .allocate(capacity: Self.pageCount)
        pageHost.initialize(repeating: nil, count: Self.pageCount)
        pageKind = .allocate(capacity: Self.pageCount)
        pageKind.initialize(repeating: PageKind.unmapped.rawValue, count: Self.pageCount)
        codePage = .allocate(capacity: Self.pageCount)
        codePage.initialize(repeating: 0, count: Self.pageCount)
        guard let lines = mmap(nil, Self.pageCount * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              lines != MAP_FAILED else {
            fatalError("cannot map the code-line bitmap: errno \(errno)")
        }
        codeLines = lines.assumingMemoryBound(to: UInt64.self)
        codeGeneration = .allocate(capacity: Self.pageCount)
        codeGeneration.initialize(repeating: 0, count: Self.pageCount)
        codeWrites = .allocate(capacity: 1)
        codeWrites.initialize(to: 0)
        for p in 0..<Int(ramSize >> Self.pageShift) {
            pageHost[p] = ram + (p << 12)
            pageKind[p] = PageKind.ram.rawValue
        }
    }

    deinit {
        munmap(ram, ramMappingSize)
        pageHost.deallocate()
        pageKind.deallocate()
        codePage.deallocate()
        codeGeneration.deallocate()
        codeWrites.deallocate()
        munmap(codeLines, Self.pageCount * 8)
        for r in roms { r.storage.deallocate() }
    }

    /// Routes the pages of [base, base + size) below the top of RAM between RAM and the ROM
    /// mapped over it, as the i440FX PAM registers do for 0xC0000–0xFFFFF: reads from RAM or
    /// from the ROM (floating high where no ROM is mapped), writes to RAM or dropped.
    public func setShadow(base: UInt32, size: UInt32, readRAM: Bool, writeRAM: Bool) {
        precondition(base % Self.pageSize == 0 && size % Self.pageSize == 0, "shadow regions are whole pages")
        precondition(UInt64(base) + UInt64(size) <= UInt64(ramSize), "shadow RAM must lie in RAM")
        var page = base
        while page < base + size {
            let p = Int(page >> 12)
            let ramPage = ram + Int(page)
            let romPage = romStorage(at: page)
            switch (readRAM, writeRAM) {
            case (true, true):
                pageHost[p] = ramPage
                pageKind[p] = PageKind.ram.rawValue
            case (true, false):
                pageHost[p] = ramPage
                pageKind[p] = PageKind.rom.rawValue
            case (false, true):
                pageHost[p] = romPage
                pageKind[p] = PageKind.shadowWrite.rawValue
            case (false, false):
                pageHost[p] = romPage
                pageKind[p] = romPage == nil ? PageKind.unmapped.rawValue : PageKind.rom.rawValue
            }
            page += Self.pageSize
        }
        notifyMappingChanged()
    }

    /// The host storage of the ROM page mapped at `address`, if any.
    private func romStorage(at address: UInt32) -> UnsafeMutablePointer<UInt8>? {
        for r in roms.reversed() where address >= r.base && Int(address - r.base) < r.size {
            return r.storage + Int(address - r.base)
        }
        return nil
    }

    /// Opens or closes the A20 gate.
    public func setA20(enabled: Bool) {
        let mask: UInt32 = enabled ? 0xFFFF_FFFF : 0xFFEF_FFFF
        if mask != a20Mask {
            a20Mask = mask
            notifyMappingChanged()
        }
    }

    /// Maps a copy of `image` read-only at `base` (page aligned; the tail of the last page reads 0xFF).
    public func mapROM(_ image: [UInt8], at base: UInt32) {
        let pages = (image.count + 4095) / 4096
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: pages * 4096)
        storage.initialize(repeating: 0xFF, count: pages * 4096)
        image.withUnsafeBufferPointer { storage.update(from: $0.baseAddress!, count: image.count) }
        roms.append((base, storage, pages * 4096))
        let first = Int(base >> 12)
        for i in 0..<pages {
            pageHost[first + i] = storage + i * 4096
            pageKind[first + i] = PageKind.rom.rawValue
        }
        notifyMappingChanged()
    }

    /// Maps `device` at [base, base+size). Whole pages become MMIO; parts of a page that no region
    /// covers read as all ones.
    public func mapMMIO(_ device: MMIODevice, base: UInt32, size: UInt32) {
        mmio.append(MMIORegion(base: base, size: size, device: device))
        var p = base >> 12
        let last = (base &+ size &- 1) >> 12
        while true {
            pageHost[Int(p)] = nil
            pageKind[Int(p)] = PageKind.mmio.rawValue
            if p == last { break }
            p += 1
        }
        notifyMappingChanged()
    }

    /// Removes the MMIO region starting at `base`; pages return to RAM if they lie in RAM.
    public func unmapMMIO(base: UInt32) {
        guard let i = mmio.firstIndex(where: { $0.base == base }) else { return }
        let r = mmio.remove(at: i)
        var p = r.base >> 12
        let last = (r.base &+ r.size &- 1) >> 12
        while true {
            if p < ramSize >> 12 {
                pageHost[Int(p)] = ram + Int(p) * 4096
                pageKind[Int(p)] = PageKind.ram.rawValue
            } else {
                pageHost[Int(p)] = nil
                pageKind[Int(p)] = PageKind.unmapped.rawValue
            }
            if p == last { break }
            p += 1
        }
        notifyMappingChanged()
    }

    /// Maps host memory that a device owns (a framebuffer) at [base, base + size) as RAM pages:
    /// the CPU's soft TLB caches them and stores to them take the RAM paths, with the code-page
    /// tracking of RAM. `storage` must hold `size` bytes and stay allocated until
    /// `unmapDeviceMemory(base:)`. Decoded code taken from whatever was mapped there before is
    /// dropped. The device must report its own writes to that storage with `deviceWrote`.
    public func mapDeviceMemory(_ storage: UnsafeMutablePointer<UInt8>, base: UInt32, size: UInt32) {
        precondition(base % Self.pageSize == 0 && size % Self.pageSize == 0 && size > 0,
                     "device memory is mapped in whole pages")
        precondition(UInt64(base) + UInt64(size) <= 1 << 32, "device memory must lie below 4 GiB")
        deviceRegions.append((base, size))
        let first = Int(base >> Self.pageShift)
        for i in 0..<Int(size >> Self.pageShift) {
            dropDecodedCode(page: first + i)
            pageHost[first + i] = storage + (i << Self.pageShift)
            pageKind[first + i] = PageKind.ram.rawValue
        }
        notifyMappingChanged()
    }

    /// Removes the device memory mapped at `base`; its pages return to RAM if they lie in RAM,
    /// else to unmapped. Decoded code taken from it is dropped.
    public func unmapDeviceMemory(base: UInt32) {
        guard let i = deviceRegions.firstIndex(where: { $0.base == base }) else { return }
        let r = deviceRegions.remove(at: i)
        let first = Int(r.base >> Self.pageShift)
        for p in first..<first + Int(r.size >> Self.pageShift) {
            dropDecodedCode(page: p)
            if p < Int(ramSize >> Self.pageShift) {
                pageHost[p] = ram + (p << Self.pageShift)
                pageKind[p] = PageKind.ram.rawValue
            } else {
                pageHost[p] = nil
                pageKind[p] = PageKind.unmapped.rawValue
            }
        }
        notifyMappingChanged()
    }

    /// A device changed `count` bytes of its mapped memory at guest-physical `address` behind
    /// the CPU's back: decoded code taken from those bytes is dropped (as a CPU store would).
    @inlinable public func deviceWrote(at address: UInt32, count: Int) {
        var a = Int(address)
        let end = a + count
        while a < end {
            let p = a >> 12
            let chunk = min(end - a, 4096 - (a & 0xFFF))
            if p < Self.pageCount && codePage[p] != 0 { codeStored(page: p, offset: a & 0xFFF, count: chunk) }
            a += chunk
        }
    }

    private func dropDecodedCode(page p: Int) {
        if codePage[p] != 0 { codeWritten(page: p) }
    }

    private func notifyMappingChanged() {
        for o in mappingObservers { o() }
    }

    /// Host pointer to the start of the page holding `address` (after the A20 mask) when it is RAM
    /// or ROM; `writable` is false for ROM.
    @inlinable
    public func hostPage(_ address: UInt32) -> (pointer: UnsafeMutablePointer<UInt8>, writable: Bool)? {
        let p = Int(address >> 12)
        guard let h = pageHost[p] else { return nil }
        return (h, pageKind[p] == PageKind.ram.rawValue)
    }

    // MARK: - Slow path (any width, any alignment, MMIO)

    public func read(_ address: GuestPhysicalAddress, width: AccessWidth) -> UInt32 {
        let a = address.value & a20Mask
        if (a & 0xFFF) + UInt32(width.rawValue) <= 4096 {
            let p = Int(a >> 12)
            if let h = pageHost[p] {
                let q = UnsafeRawPointer(h + Int(a & 0xFFF))
                switch width {
                case .byte: return UInt32(q.load(as: UInt8.self))
                case .word: return UInt32(UInt16(littleEndian: q.loadUnaligned(as: UInt16.self)))
                case .dword: return UInt32(littleEndian: q.loadUnaligned(as: UInt32.self))
                }
            }
            if let r = region(a), a &+ UInt32(width.rawValue) &- 1 <= r.base &+ r.size &- 1 {
                return r.device.mmioRead(offset: a &- r.base, width: width) & width.mask
            }
            if pageKind[p] == PageKind.unmapped.rawValue || region(a) == nil {
                return width.mask
            }
        }
        // Straddles a page or an MMIO region edge: byte by byte.
        var v: UInt32 = 0
        for i in 0..<width.rawValue {
            v |= read(GuestPhysicalAddress(address.value &+ UInt32(i)), width: .byte) << (8 * UInt32(i))
        }
        return v
    }

    public func write(_ address: GuestPhysicalAddress, width: AccessWidth, value: UInt32) {
        let a = address.value & a20Mask
        if (a & 0xFFF) + UInt32(width.rawValue) <= 4096 {
            let p = Int(a >> 12)
            if pageKind[p] == PageKind.shadowWrite.rawValue {
                // Shadow RAM being filled: the store goes to the RAM under the ROM.
                if codePage[p] != 0 { codeStored(page: p, offset: Int(a & 0xFFF), count: width.rawValue) }
                let q = UnsafeMutableRawPointer(ram + Int(a))
                switch width {
                case .byte: q.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
                case .word: q.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: 0, as: UInt16.self)
                case .dword: q.storeBytes(of: value.littleEndian, toByteOffset: 0, as: UInt32.self)
                }
                return
            }
            if let h = pageHost[p] {
                guard pageKind[p] == PageKind.ram.rawValue else { return }
                if codePage[p] != 0 { codeStored(page: p, offset: Int(a & 0xFFF), count: width.rawValue) }
                let q = UnsafeMutableRawPointer(h + Int(a & 0xFFF))
                switch width {
                case .byte: q.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
                case .word: q.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: 0, as: UInt16.self)
                case .dword: q.storeBytes(of: value.littleEndian, toByteOffset: 0, as: UInt32.self)
                }
                return
            }
            if let r = region(a), a &+ UInt32(width.rawValue) &- 1 <= r.base &+ r.size &- 1 {
                r.device.mmioWrite(offset: a &- r.base, width: width, value: value & width.mask)
                return
            }
            if region(a) == nil { return }
        }
        for i in 0..<width.rawValue {
            write(GuestPhysicalAddress(address.value &+ UInt32(i)), width: .byte, value: value >> (8 * UInt32(i)))
        }
    }

    /// Marks a page as holding decoded code; callers must stop writing it through cached host
    /// pointers (the CPU drops its write translations for it).
    @inlinable public func markCodePage(_ page: Int) {
        markCode(page: page, lines: ~0)
    }

    /// Marks the 64-byte `lines` of `page` (bit n = bytes 64n..<64n+64) as holding decoded code.
    @inlinable public func markCode(page: Int, lines: UInt64) {
        codePage[page] = 1
        codeLines[page] |= lines
    }

    /// A write reached a code page: invalidate what was decoded from it.
    @inlinable public func codeWritten(page: Int) {
        codePage[page] = 0
        codeLines[page] = 0
        codeGeneration[page] &+= 1
        codeWrites.pointee &+= 1
    }

    /// A store of `count` bytes at `offset` within code page `page`: invalidates the page's
    /// decoded code only when the store touches a line it was decoded from.
    @inlinable public func codeStored(page: Int, offset: Int, count: Int) {
        if codeLines[page] & Self.lineMask(fromByte: offset, toByte: offset + count - 1) != 0 {
            codeWritten(page: page)
        }
    }

    /// The code-line bits covering bytes `first...last` of a page (0 ≤ first ≤ last ≤ 4095).
    @inlinable public static func lineMask(fromByte first: Int, toByte last: Int) -> UInt64 {
        let low = first >> 6, high = min(last, 4095) >> 6
        let upTo: UInt64 = high == 63 ? ~0 : (1 &<< UInt64(high + 1)) &- 1
        return upTo & ~((1 &<< UInt64(low)) &- 1)
    }

    private func region(_ a: UInt32) -> MMIORegion? {
        for r in mmio where a >= r.base && a &- r.base < r.size { return r }
        return nil
    }

    /// Copies bytes into guest memory (loaders, tests). Writes to ROM and unmapped space are dropped.
    public func load(_ bytes: [UInt8], at address: UInt32) {
        for (i, b) in bytes.enumerated() {
            write(GuestPhysicalAddress(address &+ UInt32(i)), width: .byte, value: UInt32(b))
        }
    }

    /// Reads `count` bytes starting at `address` through the slow path.
    public func bytes(at address: UInt32, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(read(GuestPhysicalAddress(address &+ UInt32($0)), width: .byte)) }
    }
}
