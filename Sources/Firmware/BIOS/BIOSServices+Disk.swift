// INT 13h: floppy, hard disk and CD-ROM services on the machine's disk images.

import Storage

extension BIOSServices {
    /// A BIOS drive number resolved to a region of an image.
    struct Drive {
        enum Kind { case floppy, hardDisk, cdrom, emulatedFloppy, emulatedHardDisk }
        let device: any BlockDevice
        /// First sector of the drive in the image, in `sectorSize` units.
        let firstSector: UInt64
        let sectorSize: Int
        let sectors: UInt64
        let geometry: DiskGeometry?
        let kind: Kind
        /// Index among the machine's disks of its class (hard disk n, floppy n).
        let index: Int

        var floppyClass: Bool { kind == .floppy || kind == .emulatedFloppy }
        var writable: Bool { (kind == .floppy || kind == .hardDisk) && !device.isReadOnly }
    }

    enum Transfer { case read, write, verify }

    /// BDA status bytes: the last floppy status (40:41h), the last hard disk status (40:74h).
    static let floppyStatusByte: UInt32 = 0x441
    static let diskStatusByte: UInt32 = 0x474
    /// The INT 1Eh diskette parameter table in the ROM (F000:EFC7h), handed out by AH=08h/18h.
    static let disketteParameterTable: (segment: UInt16, offset: UInt16) = (0xF000, 0xEFC7)
    /// The drive number of the CD-ROM for EDD access (the usual choice of BIOSes).
    static let cdromDrive: UInt8 = 0xE0
    /// The most one request may move: 64 KiB (a real-mode buffer) times a CD sector's 4.
    static let maximumTransferBytes = 256 << 10

    /// Resolves `number` with the El Torito emulation in place: an emulated floppy is drive 00h
    /// and A: moves to 01h; an emulated hard disk is 80h and the hard disks move up one.
    func drive(_ number: UInt8) -> Drive? {
        let emulated = emulation.flatMap { $0.active && $0.mediaType != 0 ? $0 : nil }
        if let e = emulated, number == e.drive, let cd = disks.cdrom {
            return Drive(device: cd, firstSector: e.imageSector, sectorSize: 512, sectors: e.sectors,
                         geometry: e.geometry, kind: e.emulatesFloppy ? .emulatedFloppy : .emulatedHardDisk, index: 0)
        }
        if number < 0x80 {
            let index = Int(number) - (emulated?.emulatesFloppy == true ? 1 : 0)
            guard (0..<2).contains(index), let device = disks.floppy(index), let g = floppyGeometry[index] else { return nil }
            return Drive(device: device, firstSector: 0, sectorSize: 512, sectors: UInt64(g.sectors), geometry: g,
                         kind: .floppy, index: index)
        }
        if number == Self.cdromDrive, let cd = disks.cdrom {
            return Drive(device: cd, firstSector: 0, sectorSize: 2048, sectors: cd.byteCount / 2048, geometry: nil,
                         kind: .cdrom, index: 0)
        }
        guard number < Self.cdromDrive else { return nil }
        let index = Int(number) - 0x80 - (emulated?.emulatesHardDisk == true ? 1 : 0)
        guard index >= 0, index < disks.hardDisks.count else { return nil }
        let device = disks.hardDisks[index]
        return Drive(device: device, firstSector: 0, sectorSize: 512, sectors: device.byteCount / 512,
                     geometry: hardDiskGeometry[index], kind: .hardDisk, index: index)
    }

    /// Hard disks the BIOS reports (BDA 40:75h, AH=08h DL): the images plus an emulated one.
    var hardDiskCount: Int {
        disks.hardDisks.count + (emulation?.active == true && emulation?.emulatesHardDisk == true ? 1 : 0)
    }

    var floppyCount: Int {
        let emulated = emulation?.active == true && emulation?.emulatesFloppy == true
        return emulated ? max(1, disks.floppyDriveCount + 1) : disks.floppyDriveCount
    }

    /// Sets AH, CF and the BDA status byte of the drive's class.
    func finish(_ f: inout BIOSRegisterFrame, _ status: BIOSDiskStatus, floppy: Bool) {
        f.ah = status.rawValue
        f.carryFlag = status != .success
        setBDA8(floppy ? Self.floppyStatusByte : Self.diskStatusByte, status.rawValue)
    }

    func int13(_ f: inout BIOSRegisterFrame) {
        let number = f.dl
        if f.ah == 0x4B {
            elToritoFunction(&f)
            return
        }
        guard let d = drive(number) else {
            finish(&f, number < 0x80 ? .timeout : .invalidParameter, floppy: number < 0x80)
            return
        }
        let floppy = d.floppyClass
        switch f.ah {
        case 0x00, 0x0D, 0x0C, 0x10, 0x11, 0x14:
            // Reset, alternate reset, seek, test ready, recalibrate, diagnostics: an image is
            // always ready and positioned.
            finish(&f, .success, floppy: floppy)
        case 0x01:
            let last = bda8(floppy ? Self.floppyStatusByte : Self.diskStatusByte)
            f.ah = last
            f.carryFlag = last != 0
        case 0x02: finish(&f, chsTransfer(&f, d, .read), floppy: floppy)
        case 0x03: finish(&f, chsTransfer(&f, d, .write), floppy: floppy)
        case 0x04: finish(&f, chsTransfer(&f, d, .verify), floppy: floppy)
        case 0x05: finish(&f, formatTrack(f, d), floppy: floppy)
        case 0x08: driveParameters(&f, d)
        case 0x15:
            // Disk type: 01h floppy without change line, 02h with, 03h hard disk (CX:DX sectors).
            setBDA8(floppy ? Self.floppyStatusByte : Self.diskStatusByte, 0)
            f.carryFlag = false
            if floppy {
                f.ah = 0x02
            } else {
                let n = UInt32(min(d.sectors * UInt64(d.sectorSize / 512), UInt64(UInt32.max)))
                f.ah = 0x03
                f.cx = UInt16(n >> 16)
                f.dx = UInt16(truncatingIfNeeded: n)
            }
        case 0x16:
            // Change line: the image never changes under the guest.
            finish(&f, floppy ? .success : .invalidParameter, floppy: floppy)
        case 0x17:
            finish(&f, floppy ? .success : .invalidParameter, floppy: floppy)
        case 0x18:
            // Set media type for format: CH = max track low, CL = spt | track high bits.
            guard floppy, let g = d.geometry else { finish(&f, .invalidParameter, floppy: floppy); return }
            let tracks = Int(f.ch) | Int(f.cl & 0xC0) << 2
            if tracks == g.cylinders - 1 && Int(f.cl & 0x3F) == g.sectorsPerTrack {
                f.es = Self.disketteParameterTable.segment
                f.di = Self.disketteParameterTable.offset
                finish(&f, .success, floppy: true)
            } else {
                finish(&f, .mediaTypeNotFound, floppy: true)
            }
        case 0x41:
            guard f.bx == 0x55AA, !floppy else { finish(&f, .invalidParameter, floppy: floppy); return }
            f.bx = 0xAA55
            // CX: 42h–44h/47h/48h (bit 0), removable-media functions 45h/46h/49h (bit 1), EDD (bit 2).
            f.cx = d.kind == .cdrom ? 0x0007 : 0x0005
            f.ah = 0x30  // EDD 3.0
            f.carryFlag = false
        case 0x42: finish(&f, extendedTransfer(f, d, .read), floppy: floppy)
        case 0x43: finish(&f, extendedTransfer(f, d, .write), floppy: floppy)
        case 0x44: finish(&f, extendedTransfer(f, d, .verify), floppy: floppy)
        case 0x47: finish(&f, extendedSeek(f, d), floppy: floppy)
        case 0x45:
            guard d.kind == .cdrom else { finish(&f, .invalidParameter, floppy: floppy); return }
            switch f.al {
            case 0: cdLocks = min(cdLocks &+ 1, 0xFF); f.al = 1; finish(&f, .success, floppy: false)
            case 1:
                guard cdLocks > 0 else { finish(&f, .volumeNotRemovable, floppy: false); return }
                cdLocks -= 1
                f.al = cdLocks > 0 ? 1 : 0
                finish(&f, .success, floppy: false)
            case 2: f.al = cdLocks > 0 ? 1 : 0; finish(&f, .success, floppy: false)
            default: finish(&f, .invalidParameter, floppy: false)
            }
        case 0x46:
            guard d.kind == .cdrom else { finish(&f, .invalidParameter, floppy: floppy); return }
            finish(&f, cdLocks > 0 ? .volumeLocked : .success, floppy: false)
        case 0x48: finish(&f, eddParameters(f, d), floppy: floppy)
        default:
            finish(&f, .invalidParameter, floppy: floppy)
        }
    }

    /// AH=02h/03h/04h: AL sectors at cylinder CH (+ CL bits 7–6), head DH, sector CL bits 5–0,
    /// buffer ES:BX. AL returns the sectors moved.
    func chsTransfer(_ f: inout BIOSRegisterFrame, _ d: Drive, _ op: Transfer) -> BIOSDiskStatus {
        let count = Int(f.al)
        f.al = 0
        guard let g = d.geometry, count > 0, count <= 128 else { return .invalidParameter }
        let cylinder = Int(f.ch) | Int(f.cl & 0xC0) << 2
        guard let lba = g.lba(cylinder: cylinder, head: Int(f.dh), sector: Int(f.cl & 0x3F)) else {
            return d.floppyClass ? .sectorNotFound : .invalidParameter
        }
        let buffer = linear(f.es, f.bx)
        if d.kind == .floppy && op != .verify {
            // The 8237 cannot cross a 64 KiB physical page in one transfer.
            let physical = cpu.physicalAddress(ofLinear: buffer, write: op == .read) ?? buffer
            if (physical & 0xFFFF) + UInt32(count * 512) > 0x1_0000 { return .dmaBoundary }
        }
        let status = transfer(d, lba: lba, count: count, buffer: buffer, op)
        if status == .success { f.al = UInt8(count) }
        return status
    }

    /// Moves `count` sectors between the drive and guest memory at `buffer` (linear).
    func transfer(_ d: Drive, lba: UInt64, count: Int, buffer: UInt32, _ op: Transfer) -> BIOSDiskStatus {
        guard lba < d.sectors, UInt64(count) <= d.sectors - lba else { return .sectorNotFound }
        let bytes = count * d.sectorSize
        guard bytes <= Self.maximumTransferBytes else { return .invalidParameter }
        let offset = (d.firstSector + lba) * UInt64(d.sectorSize)
        switch op {
        case .read, .verify:
            let data: [UInt8]
            do { data = try d.device.read(at: offset, count: bytes) } catch {
                log?("INT 13h read of \(bytes) bytes at \(offset): \(error)")
                return .uncorrectableRead
            }
            if op == .read && !guest.writeBytes(buffer, data) { return .invalidParameter }
        case .write:
            guard d.writable else { return .writeProtected }
            guard let data = guest.readBytes(buffer, count: bytes) else { return .invalidParameter }
            do { try d.device.write(data, at: offset) } catch {
                log?("INT 13h write of \(bytes) bytes at \(offset): \(error)")
                return .writeFault
            }
        }
        return .success
    }

    /// AH=05h: floppies write AL sectors named by the 4-byte address fields (C, H, R, N) at
    /// ES:BX filled with F6h (the format fill byte of the parameter table); hard disks clear
    /// the track CH/CL, head DH.
    func formatTrack(_ f: BIOSRegisterFrame, _ d: Drive) -> BIOSDiskStatus {
        guard let g = d.geometry else { return .invalidParameter }
        guard d.writable else { return .writeProtected }
        let cylinder = Int(f.ch) | (d.floppyClass ? 0 : Int(f.cl & 0xC0) << 2)
        let head = Int(f.dh)
        if d.floppyClass {
            let count = Int(f.al)
            guard count > 0, count <= g.sectorsPerTrack,
                  let fields = guest.readBytes(linear(f.es, f.bx), count: 4 * count) else { return .invalidParameter }
            for i in 0..<count {
                guard fields[4 * i + 3] == 2,
                      let lba = g.lba(cylinder: Int(fields[4 * i]), head: Int(fields[4 * i + 1]), sector: Int(fields[4 * i + 2])),
                      Int(fields[4 * i]) == cylinder, Int(fields[4 * i + 1]) == head
                else { return .addressMarkNotFound }
                do { try d.device.write([UInt8](repeating: 0xF6, count: 512), at: lba * 512) } catch { return .writeFault }
            }
            return .success
        }
        guard let first = g.lba(cylinder: cylinder, head: head, sector: 1) else { return .invalidParameter }
        guard first + UInt64(g.sectorsPerTrack) <= d.sectors else { return .sectorNotFound }
        do {
            try d.device.write([UInt8](repeating: 0, count: 512 * g.sectorsPerTrack), at: first * 512)
        } catch { return .writeFault }
        return .success
    }

    /// AH=08h: CH/CL maximum cylinder and sectors per track, DH maximum head, DL drive count;
    /// floppies add BL = drive type and ES:DI = the diskette parameter table.
    func driveParameters(_ f: inout BIOSRegisterFrame, _ d: Drive) {
        guard let g = d.geometry else { finish(&f, .invalidParameter, floppy: false); return }
        let maxCylinder = min(g.cylinders, 1024) - 1
        f.ch = UInt8(truncatingIfNeeded: maxCylinder)
        f.cl = UInt8(g.sectorsPerTrack & 0x3F) | UInt8((maxCylinder >> 2) & 0xC0)
        f.dh = UInt8(g.heads - 1)
        if d.floppyClass {
            f.bl = g.floppyType
            f.dl = UInt8(floppyCount)
            f.es = Self.disketteParameterTable.segment
            f.di = Self.disketteParameterTable.offset
        } else {
            f.dl = UInt8(hardDiskCount)
        }
        f.al = 0
        finish(&f, .success, floppy: d.floppyClass)
    }

    /// The disk address packet at DS:SI: size (10h or 18h), count, buffer seg:off (FFFF:FFFF
    /// with size 18h: the 64-bit flat address at +10h), starting LBA.
    struct AddressPacket {
        var count: Int
        var buffer: UInt32
        var lba: UInt64
    }

    func addressPacket(_ f: BIOSRegisterFrame) -> AddressPacket? {
        let at = linear(f.ds, f.si)
        guard let head = guest.readBytes(at, count: 16), head[0] >= 0x10 else { return nil }
        let count = Int(head[2]) | Int(head[3]) << 8
        let offset = UInt16(head[4]) | UInt16(head[5]) << 8, segment = UInt16(head[6]) | UInt16(head[7]) << 8
        var lba: UInt64 = 0
        for i in 0..<8 { lba |= UInt64(head[8 + i]) << (8 * UInt64(i)) }
        var buffer = linear(segment, offset)
        if segment == 0xFFFF && offset == 0xFFFF {
            guard head[0] >= 0x18, let flat = guest.readBytes(at &+ 16, count: 8) else { return nil }
            var address: UInt64 = 0
            for i in 0..<8 { address |= UInt64(flat[i]) << (8 * UInt64(i)) }
            guard address <= UInt64(UInt32.max) else { return nil }
            buffer = UInt32(address)
        }
        return AddressPacket(count: count, buffer: buffer, lba: lba)
    }

    /// AH=42h/43h/44h: the packet's count of sectors at its LBA; on failure the packet's count
    /// is set to the sectors moved (none: requests are done whole or not at all).
    func extendedTransfer(_ f: BIOSRegisterFrame, _ d: Drive, _ op: Transfer) -> BIOSDiskStatus {
        guard let packet = addressPacket(f) else { return .invalidParameter }
        if packet.count == 0 { return .success }
        let status = transfer(d, lba: packet.lba, count: packet.count, buffer: packet.buffer, op)
        if status != .success { guest.write16(linear(f.ds, f.si) &+ 2, 0) }
        return status
    }

    func extendedSeek(_ f: BIOSRegisterFrame, _ d: Drive) -> BIOSDiskStatus {
        guard let packet = addressPacket(f) else { return .invalidParameter }
        return packet.lba < d.sectors ? .success : .sectorNotFound
    }

    /// Where a drive would sit on the PIIX3 IDE controller (00:01.1): hard disks 0 and 1 on the
    /// primary channel, the CD-ROM as secondary master, further hard disks after it.
    func ideLocation(_ d: Drive) -> (channel: UInt8, slave: UInt8) {
        if d.kind == .cdrom || d.kind == .emulatedFloppy || d.kind == .emulatedHardDisk { return (1, 0) }
        var position = d.index
        if disks.cdrom != nil && position >= 2 { position += 1 }
        return (UInt8(position / 2), UInt8(position % 2))
    }

    /// AH=48h: the EDD 3.0 drive parameter table at DS:SI (its first word: the buffer size).
    func eddParameters(_ f: BIOSRegisterFrame, _ d: Drive) -> BIOSDiskStatus {
        guard !d.floppyClass || d.kind == .emulatedFloppy else { return .invalidParameter }
        let at = linear(f.ds, f.si)
        guard let size = guest.read16(at), size >= 0x1A else { return .invalidParameter }
        var t = [UInt8](repeating: 0, count: 0x42)
        func put16(_ o: Int, _ v: UInt16) { t[o] = UInt8(truncatingIfNeeded: v); t[o + 1] = UInt8(v >> 8) }
        func put32(_ o: Int, _ v: UInt32) { put16(o, UInt16(truncatingIfNeeded: v)); put16(o + 2, UInt16(v >> 16)) }
        let removable = d.kind != .hardDisk
        // Flags: bit 1 CHS information valid; bits 2, 4, 5: removable, change line, lockable.
        var flags: UInt16 = d.geometry != nil ? 0x0002 : 0
        if removable { flags |= 0x0034 }
        put16(2, flags)
        if let g = d.geometry {
            put32(4, UInt32(g.cylinders))
            put32(8, UInt32(g.heads))
            put32(12, UInt32(g.sectorsPerTrack))
        }
        put32(16, UInt32(truncatingIfNeeded: d.sectors))
        put32(20, UInt32(truncatingIfNeeded: d.sectors >> 32))
        put16(24, UInt16(d.sectorSize))
        var length = 0x1A
        if size >= 0x1E {
            put32(26, 0xFFFF_FFFF)  // no device parameter table extension
            length = 0x1E
        }
        if size >= 0x42 {
            put16(0x1E, 0xBEDD)
            t[0x20] = 0x24
            for (i, c) in "PCI ".utf8.enumerated() { t[0x24 + i] = c }
            let interface = d.kind == .hardDisk ? "ATA     " : "ATAPI   "
            for (i, c) in interface.utf8.enumerated() { t[0x28 + i] = c }
            let location = ideLocation(d)
            t[0x30] = 0  // bus
            t[0x31] = 1  // device: the PIIX3
            t[0x32] = 1  // function 1: IDE
            t[0x33] = location.channel
            t[0x38] = location.slave
            t[0x41] = 0 &- t[0x1E...0x40].reduce(0, &+)
            length = 0x42
        }
        t[0] = UInt8(length)
        t[1] = 0
        guard guest.writeBytes(at, Array(t[0..<length])) else { return .invalidParameter }
        return .success
    }

    // MARK: POST

    /// POST's disk service: AL = floppy drives, AH = hard disks, BL = CMOS floppy types (A: high
    /// nibble), EDX = the boot order (one device class per byte, FFh ends); the fixed disk
    /// parameter tables of drives 80h/81h go to ES:DI + 3Dh / 4Dh (the EBDA).
    func diskInventory(_ f: inout BIOSRegisterFrame) {
        f.al = UInt8(disks.floppyDriveCount)
        f.ah = UInt8(disks.hardDisks.count)
        f.bl = (floppyGeometry[0]?.floppyType ?? 0) << 4 | (floppyGeometry[1]?.floppyType ?? 0)
        var order: UInt32 = 0xFFFF_FFFF
        for (i, device) in bootOrder.prefix(4).enumerated() {
            order = order & ~(0xFF << (8 * UInt32(i))) | UInt32(device.romCode) << (8 * UInt32(i))
        }
        f.edx = order
        let ebda = linear(f.es, f.di)
        for (i, g) in hardDiskGeometry.prefix(2).enumerated() {
            guest.writeBytes(ebda &+ (i == 0 ? 0x3D : 0x4D), Self.fixedDiskParameterTable(g))
        }
        f.carryFlag = false
    }

    /// The 16-byte fixed disk parameter table (IBM PC/AT, INT 41h/46h): cylinders, heads,
    /// write precompensation (none: FFFFh), control byte (bit 3: more than 8 heads), landing
    /// zone, sectors per track.
    static func fixedDiskParameterTable(_ g: DiskGeometry) -> [UInt8] {
        let c = UInt16(min(g.cylinders, 1024))
        return [UInt8(truncatingIfNeeded: c), UInt8(c >> 8), UInt8(g.heads & 0xFF), 0, 0, 0xFF, 0xFF, 0,
                g.heads > 8 ? 0x08 : 0, 0, 0, 0, UInt8(truncatingIfNeeded: c), UInt8(c >> 8), UInt8(g.sectorsPerTrack), 0]
    }
}
