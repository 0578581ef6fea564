// El Torito: booting the CD-ROM at INT 19h and INT 13h AH=4Bh.

import Storage

extension BIOSServices {
    /// INT 19h's CD-ROM step: reads the boot catalog, loads the initial entry's image to its load
    /// segment and starts the emulation its media type asks for. Returns CF=0 with DL = the boot
    /// drive and BX = the load segment (the ROM jumps to BX:0000), or CF=1 when the CD cannot boot.
    func bootCD(_ f: inout BIOSRegisterFrame) {
        f.carryFlag = true
        guard let cd = disks.cdrom else { return }
        let catalog: ElToritoBootCatalog
        do { catalog = try ElToritoBootCatalog.read(cd) } catch {
            log?("CD-ROM is not bootable: \(error)")
            return
        }
        let segment = catalog.loadSegment == 0 ? 0x07C0 : catalog.loadSegment
        let imageSector = UInt64(catalog.loadRBA) * 4
        var state = CDEmulation(mediaType: catalog.mediaType, drive: Self.cdromDrive, imageSector: imageSector,
                                loadRBA: catalog.loadRBA, loadSegment: segment, sectorCount: catalog.sectorCount,
                                geometry: DiskGeometry(cylinders: 0, heads: 0, sectorsPerTrack: 0, floppyType: 0),
                                sectors: 0, active: true)
        var loadBytes = Int(catalog.sectorCount) * 512
        switch catalog.mediaType {
        case 0:
            // No emulation: the image is the loader itself (ISOLINUX); load what the entry says.
            guard loadBytes > 0 else { return }
        case 1, 2, 3:
            let size: UInt64 = [1: 1_228_800, 2: 1_474_560, 3: 2_949_120][catalog.mediaType]!
            guard let g = DiskGeometry.floppy(bytes: size) else { return }
            state.drive = 0x00
            state.geometry = g
            state.sectors = UInt64(g.sectors)
            loadBytes = 512
        default:
            // Hard disk emulation: the image starts with an MBR; its partition table gives the
            // geometry (the ending CHS of the first partition), its size the sector count.
            guard let mbr = try? cd.read(at: imageSector * 512, count: 512), mbr[510] == 0x55, mbr[511] == 0xAA else { return }
            let entry = Array(mbr[446..<462])
            let lastLBA = UInt64(entry[8]) | UInt64(entry[9]) << 8 | UInt64(entry[10]) << 16 | UInt64(entry[11]) << 24
            let length = UInt64(entry[12]) | UInt64(entry[13]) << 8 | UInt64(entry[14]) << 16 | UInt64(entry[15]) << 24
            let heads = Int(entry[5]) + 1, spt = Int(entry[6] & 0x3F)
            guard spt > 0 else { return }
            let sectors = min(lastLBA + length, cd.byteCount / 512 - imageSector)
            state.drive = 0x80
            state.geometry = DiskGeometry(cylinders: max(1, Int(sectors) / (heads * spt)), heads: heads,
                                          sectorsPerTrack: spt, floppyType: 0)
            state.sectors = sectors
            loadBytes = 512
        }
        guard let image = try? cd.read(at: imageSector * 512, count: min(loadBytes, Self.maximumTransferBytes)),
              guest.writeBytes(UInt32(segment) << 4, image) else { return }
        emulation = state
        if state.emulatesFloppy {
            // One more floppy drive in the equipment word (bits 7:6 = drives - 1, bit 0 present).
            var equipment = bda16(0x410)
            equipment = equipment & ~0x00C1 | UInt16(max(0, floppyCount - 1) << 6) | 0x0001
            setBDA16(0x410, equipment)
        }
        if state.emulatesHardDisk { setBDA8(0x475, UInt8(hardDiskCount)) }
        f.dl = state.drive
        f.bx = segment
        f.carryFlag = false
    }

    /// INT 13h AH=4Bh: AL=00h terminates the emulation, AL=01h only reports it; both copy the
    /// 13h-byte specification packet to DS:SI. DL = the emulated drive, or 7Fh for any.
    func elToritoFunction(_ f: inout BIOSRegisterFrame) {
        guard f.al <= 1, let e = emulation, e.active || f.al == 1,
              f.dl == 0x7F || f.dl == e.drive else {
            finish(&f, .invalidParameter, floppy: false)
            return
        }
        var p = [UInt8](repeating: 0, count: 0x13)
        p[0] = 0x13
        p[1] = e.mediaType
        p[2] = e.drive
        p[3] = 0  // controller index
        for i in 0..<4 { p[4 + i] = UInt8(truncatingIfNeeded: e.loadRBA >> (8 * UInt32(i))) }
        p[8] = 0  // device specification: master on its channel (see ideLocation)
        p[0x0C] = UInt8(truncatingIfNeeded: e.loadSegment)
        p[0x0D] = UInt8(e.loadSegment >> 8)
        p[0x0E] = UInt8(truncatingIfNeeded: e.sectorCount)
        p[0x0F] = UInt8(e.sectorCount >> 8)
        if e.mediaType != 0 {
            let maxCylinder = max(0, min(e.geometry.cylinders, 1024) - 1)
            p[0x10] = UInt8(truncatingIfNeeded: maxCylinder)
            p[0x11] = UInt8(e.geometry.sectorsPerTrack & 0x3F) | UInt8((maxCylinder >> 2) & 0xC0)
            p[0x12] = UInt8(max(0, e.geometry.heads - 1))
        }
        guard guest.writeBytes(linear(f.ds, f.si), p) else {
            finish(&f, .invalidParameter, floppy: false)
            return
        }
        if f.al == 0 { emulation?.active = false }
        f.ah = 0
        f.carryFlag = false
    }
}
