import Foundation
import Testing
import Chipset
import EmulatorCore
import Firmware
import Machine
import TestSupport
import X86

/// Partita's own BIOS (roms/partita-bios.bin) on the whole machine: POST, INT 13h on floppy,
/// hard disk and El Torito images, E820, INT 10h text, INT 1Ah, INT 16h with keys typed on the
/// 8042, PCI enumeration, option ROMs and the tables. Boot sectors are assembled at test time;
/// each reports through memory at 0x600 and ends the run through isa-debug-exit.
@Suite("Partita BIOS")
struct BIOSTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func biosImage() throws -> [UInt8] {
        let url = packageRoot.appendingPathComponent("roms/partita-bios.bin")
        return [UInt8](try Data(contentsOf: url))
    }

    /// A 512-byte boot sector at 0000:7C00 running `body`, with `exit N` ending the run.
    static func bootSector(_ body: String, org: String = "0x7C00") throws -> [UInt8] {
        try assemble("""
            bits 16
            org \(org)
            %macro exit 1
                mov al, %1
                out 0xF4, al
                cli
                hlt
            %endmacro
            start:
            \(body)
            times 510-($-$$) db 0
            dw 0xAA55
            """)
    }

    static func image(_ size: Int, boot: [UInt8]) -> TemporaryDiskImage {
        let img = TemporaryDiskImage(byteCount: size) { i in UInt8(truncatingIfNeeded: i / 512 &+ i % 251) }
        let handle = FileHandle(forWritingAtPath: img.path)!
        handle.write(Data(boot))
        try? handle.close()
        return img
    }

    static func machine(_ configure: (inout MachineConfiguration) -> Void) throws -> PCMachine {
        var config = MachineConfiguration()
        config.firmware = try biosImage()
        // As `partita run` does for firmware boots: the VGA gets Partita's video BIOS.
        config.videoBIOS = [UInt8](try Data(contentsOf: packageRoot.appendingPathComponent("roms/partita-vgabios.bin")))
        config.isaDebugExit = true
        config.clock = .virtual
        config.rtcStart = .fixed(RTCDateTime(year: 2024, month: 1, day: 31, hour: 12, minute: 34, second: 56))
        configure(&config)
        return try PCMachine(config)
    }

    /// The text screen as a guest reads it: B8000h through the VGA (not the RAM behind it).
    static func screen(_ m: PCMachine, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: m.memory.read(GuestPhysicalAddress(0xB8000 + UInt32($0)), width: .byte)) }
    }

    static func word(_ m: PCMachine, _ address: UInt32) -> UInt16 {
        UInt16(m.memory.read(GuestPhysicalAddress(address), width: .word))
    }

    static func dword(_ m: PCMachine, _ address: UInt32) -> UInt32 {
        m.memory.read(GuestPhysicalAddress(address), width: .dword)
    }

    @Test("roms/ holds what scripts/build-firmware.sh makes of firmware/ (system and VGA BIOS)")
    func romsAreReproducible() throws {
        guard ["/usr/bin/nasm", "/usr/local/bin/nasm"].contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("skipped: nasm is not installed (apt-get install nasm) — cannot rebuild the ROMs to compare")
            return
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("partita-roms-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.packageRoot.appendingPathComponent("scripts/build-firmware.sh").path, out.path]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        for name in ["partita-bios.bin", "partita-vgabios.bin"] {
            let built = [UInt8](try Data(contentsOf: out.appendingPathComponent(name)))
            let committed = [UInt8](try Data(contentsOf: Self.packageRoot.appendingPathComponent("roms/" + name)))
            #expect(built == committed, "roms/\(name) is stale: run scripts/build-firmware.sh and commit it")
        }
        let vga = [UInt8](try Data(contentsOf: Self.packageRoot.appendingPathComponent("roms/partita-vgabios.bin")))
        #expect(vga[0] == 0x55 && vga[1] == 0xAA && Int(vga[2]) * 512 == vga.count)
        #expect(vga.reduce(0, &+) == 0)
        let pcir = Int(vga[0x18]) | Int(vga[0x19]) << 8
        #expect(Array(vga[pcir..<pcir + 8]) == Array("PCIR".utf8) + [0x34, 0x12, 0x11, 0x11])
    }

    @Test("a floppy boots at 0000:7C00 with DL=00h; CHS reads, AH=08h and bad requests report the PC/AT way")
    func floppyBoot() throws {
        let boot = try Self.bootSector("""
                mov [0x600], dl
                xor ax, ax
                mov es, ax
                mov ax, 0x0202          ; read 2 sectors: C0 H0 S2 → 0000:8000
                mov cx, 0x0002
                xor dh, dh
                mov dl, 0
                mov bx, 0x8000
                int 0x13
                mov [0x602], ax
                setc [0x604]
                mov ax, 0x0201          ; C0 H1 S18: LBA 35
                mov cx, 0x0012
                mov dx, 0x0100
                mov bx, 0x8400
                int 0x13
                mov ah, 0x08
                mov dl, 0
                int 0x13
                mov [0x606], bx
                mov [0x608], cx
                mov [0x60A], dx
                mov [0x60C], di
                mov [0x60E], es
                xor ax, ax
                mov es, ax
                mov ax, 0x0201          ; sector 19 does not exist on an 18-sector track
                mov cx, 0x0013
                xor dx, dx
                mov bx, 0x8600
                int 0x13
                mov [0x610], ax
                setc [0x612]
                mov ax, 0x0201          ; a buffer across a 64 KiB boundary: DMA error
                mov cx, 0x0001
                xor dx, dx
                mov bx, 0xFF00
                int 0x13
                mov [0x614], ax
                mov ax, 0x0201          ; drive 05h does not exist
                mov cx, 0x0001
                mov dx, 0x0005
                mov bx, 0x8600
                int 0x13
                mov [0x616], ax
                setc [0x618]
                exit 1
            """)
        let floppy = Self.image(1_474_560, boot: boot)
        let m = try Self.machine { $0.floppyImages = [.init(path: floppy.path)] }
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 3))
        #expect(m.memory.bytes(at: 0x600, count: 1) == [0])
        #expect(Self.word(m, 0x602) == 0x0002)  // AH=0, AL=2 sectors
        #expect(m.memory.bytes(at: 0x604, count: 1) == [0])
        let disk = floppy.contents
        #expect(m.memory.bytes(at: 0x8000, count: 1024) == Array(disk[512..<1536]))
        #expect(m.memory.bytes(at: 0x8400, count: 512) == Array(disk[35 * 512..<36 * 512]))
        #expect(Self.word(m, 0x606) & 0xFF == 4)  // BL: 1.44 MB drive
        #expect(Self.word(m, 0x608) == 0x4F12)  // 79 cylinders max, 18 sectors
        #expect(Self.word(m, 0x60A) == 0x0101)  // DH = 1, DL = 1 drive
        #expect(Self.word(m, 0x60E) == 0xF000 && Self.word(m, 0x60C) == 0xEFC7)
        #expect(Self.word(m, 0x610) == 0x0400 && m.memory.bytes(at: 0x612, count: 1) == [1])
        #expect(Self.word(m, 0x614) == 0x0900)
        #expect(Self.word(m, 0x616) >> 8 == 0x80 && m.memory.bytes(at: 0x618, count: 1) == [1])
        #expect(m.memory.bytes(at: 0x441, count: 1) == [0x80])  // BDA: last floppy status
        #expect(Self.word(m, 0x410) & 0x00C1 == 0x0001)  // equipment: one floppy drive
    }

    @Test("a hard disk boots with DL=80h; EDD 41h/42h/43h/48h, AH=08h, bad LBAs and E820 are right")
    func hardDiskBootAndE820() throws {
        let boot = try Self.bootSector("""
                mov [0x600], dl
                mov ah, 0x41
                mov bx, 0x55AA
                mov dl, 0x80
                int 0x13
                mov [0x602], bx
                mov [0x604], ax
                mov [0x606], cx
                mov si, dap             ; read LBA 100, 2 sectors → 0000:8000
                mov ah, 0x42
                mov dl, 0x80
                int 0x13
                setc [0x608]
                mov word [dap + 4], 0x7C00   ; write this sector to LBA 200
                mov dword [dap + 8], 200
                mov word [dap + 2], 1
                mov ah, 0x43
                mov dl, 0x80
                int 0x13
                setc [0x609]
                mov dword [dap + 8], 0x100000  ; past the end
                mov ah, 0x42
                mov dl, 0x80
                int 0x13
                mov [0x60A], ax
                setc [0x60C]
                mov ah, 0x08
                mov dl, 0x80
                int 0x13
                mov [0x60E], cx
                mov [0x610], dx
                mov word [0x7000], 0x42   ; EDD 3.0 parameter table
                mov si, 0x7000
                mov ah, 0x48
                mov dl, 0x80
                int 0x13
                setc [0x612]
                ; E820: entries of 20 bytes from 0000:9000, count at 0x614
                xor ebx, ebx
                mov di, 0x9000
                mov word [0x614], 0
            .e820:
                mov eax, 0xE820
                mov edx, 0x534D4150
                mov ecx, 24
                int 0x15
                jc .e820_done
                cmp eax, 0x534D4150
                jne .e820_done
                add di, 20
                inc word [0x614]
                test ebx, ebx
                jnz .e820
            .e820_done:
                mov ax, 0xE801
                int 0x15
                mov [0x616], ax
                mov [0x618], bx
                int 0x12
                mov [0x61A], ax
                exit 2
            dap:
                db 0x10, 0
                dw 2
                dw 0x8000, 0
                dq 100
            """)
        let disk = Self.image(4 << 20, boot: boot)
        let m = try Self.machine {
            $0.ramSize = 64 << 20
            $0.hardDisks = [.init(path: disk.path)]
        }
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 5))
        #expect(m.memory.bytes(at: 0x600, count: 1) == [0x80])
        #expect(Self.word(m, 0x602) == 0xAA55)
        #expect(Self.word(m, 0x604) >> 8 == 0x30)
        #expect(Self.word(m, 0x606) & 0x1 == 1)
        #expect(m.memory.bytes(at: 0x608, count: 2) == [0, 0])
        let contents = disk.contents
        #expect(m.memory.bytes(at: 0x8000, count: 1024) == Array(contents[100 * 512..<102 * 512]))
        // The sector written is the running boot sector (its code; the packet changed since).
        #expect(Array(contents[200 * 512..<200 * 512 + 64]) == Array(contents[0..<64]))
        #expect(Array(contents[201 * 512 - 2..<201 * 512]) == [0x55, 0xAA])
        #expect(Self.word(m, 0x60A) >> 8 == 0x04 && m.memory.bytes(at: 0x60C, count: 1) == [1])
        // 4 MiB = 8192 sectors: 16 heads, 63 sectors, 8 cylinders (max 7).
        #expect(Self.word(m, 0x60E) == 0x073F)
        #expect(Self.word(m, 0x610) == 0x0F01)
        #expect(m.memory.bytes(at: 0x612, count: 1) == [0])
        #expect(Self.word(m, 0x7000) == 0x42)
        #expect(Self.dword(m, 0x7010) == 8192 && Self.word(m, 0x7018) == 512)
        #expect(Self.word(m, 0x701E) == 0xBEDD)
        #expect(m.memory.bytes(at: 0x701E, count: 0x24).reduce(0, &+) == 0)
        let expected = E820Map.pc(ramSize: 64 << 20, acpiSize: m.layout.acpiRegion.size,
                                  acpiNVSSize: m.layout.acpiNVSRegion.size, biosAreaBase: 0xE_0000, firmwareSize: 0x2_0000)
        let count = Int(Self.word(m, 0x614))
        #expect(count == expected.entries.count)
        #expect(m.memory.bytes(at: 0x9000, count: 20 * count) == expected.encoded())
        #expect(Self.word(m, 0x616) == 0x3C00)  // 15 MiB between 1 and 16 MiB
        #expect(Self.word(m, 0x618) == (64 - 16) * 16 - 1)  // 64 KiB blocks above 16 MiB, less the ACPI block
        #expect(Self.word(m, 0x61A) == 639)
        #expect(m.memory.bytes(at: 0x475, count: 1) == [1])
    }

    /// An ISO 9660 image with an El Torito boot record (sector 17), catalog (18) and the boot
    /// image from sector 19; sector 20 holds a recognisable pattern.
    static func isoImage(bootImage: [UInt8], mediaType: UInt8, sectorCount: UInt16, extraSectors: Int = 4) -> TemporaryDiskImage {
        let sectors = 20 + extraSectors + (bootImage.count + 2047) / 2048
        let iso = TemporaryDiskImage(byteCount: sectors * 2048) { i in i >= 20 * 2048 ? UInt8(truncatingIfNeeded: i &* 7 >> 3) : 0 }
        var bytes = iso.contents
        var record = [UInt8](repeating: 0, count: 2048)
        record[1...5] = ArraySlice("CD001".utf8)
        record[6] = 1
        for (i, c) in "EL TORITO SPECIFICATION".utf8.enumerated() { record[7 + i] = c }
        record[0x47] = 18
        bytes.replaceSubrange(17 * 2048..<18 * 2048, with: record)
        var catalog = [UInt8](repeating: 0, count: 64)
        catalog[0] = 1
        catalog[30] = 0x55
        catalog[31] = 0xAA
        var sum: UInt16 = 0
        for i in stride(from: 0, to: 32, by: 2) { sum &+= UInt16(catalog[i]) | UInt16(catalog[i + 1]) << 8 }
        let check = 0 &- sum
        catalog[28] = UInt8(truncatingIfNeeded: check)
        catalog[29] = UInt8(check >> 8)
        catalog[32] = 0x88
        catalog[33] = mediaType
        catalog[38] = UInt8(truncatingIfNeeded: sectorCount)
        catalog[39] = UInt8(sectorCount >> 8)
        catalog[40] = 19
        bytes.replaceSubrange(18 * 2048..<18 * 2048 + 64, with: catalog)
        bytes.replaceSubrange(19 * 2048..<19 * 2048 + bootImage.count, with: bootImage)
        _ = FileManager.default.createFile(atPath: iso.path, contents: Data(bytes))
        return iso
    }

    @Test("an El Torito no-emulation CD boots at 07C0:0000 with DL=E0h; 4B01h and 2048-byte EDD reads work")
    func elToritoNoEmulation() throws {
        let boot = try Self.bootSector("""
                mov ax, cs
                mov ds, ax              ; CS = 07C0h
                xor ax, ax
                mov es, ax
                mov [es:0x600], dl
                mov [es:0x602], cs
                push ds
                xor ax, ax
                mov ds, ax
                mov ax, 0x4B01
                mov dl, 0x7F
                mov si, 0x7000          ; DS:SI = 0000:7000
                int 0x13
                setc [es:0x604]
                pop ds
                mov si, dap
                mov ah, 0x42
                mov dl, 0xE0
                int 0x13
                setc [es:0x605]
                exit 3
            dap:
                db 0x10, 0
                dw 1
                dw 0x8000, 0
                dq 20
            """, org: "0")
        let iso = Self.isoImage(bootImage: boot, mediaType: 0, sectorCount: 4)
        let m = try Self.machine {
            $0.cdrom = iso.path
            $0.bootOrder = [.cdrom]
        }
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 7))
        #expect(m.memory.bytes(at: 0x600, count: 1) == [0xE0])
        #expect(Self.word(m, 0x602) == 0x07C0)
        #expect(m.memory.bytes(at: 0x604, count: 2) == [0, 0])
        let packet = m.memory.bytes(at: 0x7000, count: 0x13)
        #expect(packet[0] == 0x13 && packet[1] == 0 && packet[2] == 0xE0)
        #expect(packet[4] == 19 && packet[0x0C] == 0xC0 && packet[0x0D] == 0x07 && packet[0x0E] == 4)
        #expect(m.memory.bytes(at: 0x8000, count: 2048) == Array(iso.contents[20 * 2048..<21 * 2048]))
    }

    @Test("an El Torito 1.44 MB floppy emulation boots as drive 00h and reads its own sectors by CHS")
    func elToritoFloppyEmulation() throws {
        let boot = try Self.bootSector("""
                xor ax, ax
                mov ds, ax
                mov es, ax
                mov [0x600], dl
                mov ax, 0x0201          ; its sector 2
                mov cx, 0x0002
                xor dx, dx
                mov bx, 0x8000
                int 0x13
                setc [0x602]
                mov ah, 0x08
                xor dl, dl
                int 0x13
                mov [0x604], bl
                exit 4
            """, org: "0")
        var floppy = boot + (0..<(1_474_560 - 512)).map { UInt8(truncatingIfNeeded: $0 / 512 &+ 0x40) }
        floppy[1024] = 0x5A
        let iso = Self.isoImage(bootImage: floppy, mediaType: 2, sectorCount: 1, extraSectors: 0)
        let m = try Self.machine {
            $0.cdrom = iso.path
            $0.bootOrder = [.cdrom]
        }
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 9))
        #expect(m.memory.bytes(at: 0x600, count: 1) == [0x00])
        #expect(m.memory.bytes(at: 0x602, count: 1) == [0])
        #expect(m.memory.bytes(at: 0x8000, count: 512) == Array(floppy[512..<1024]))
        #expect(m.memory.bytes(at: 0x604, count: 1) == [4])
    }

    @Test("INT 10h teletype and write-character put characters and attributes into B800:0000")
    func textOutput() throws {
        let boot = try Self.bootSector("""
                mov ax, 0x0003
                int 0x10
                mov si, text
            .next:
                lodsb
                test al, al
                jz .done
                mov ah, 0x0E
                mov bx, 0x0007
                int 0x10
                jmp .next
            .done:
                mov ax, 0x0958          ; 'X', attribute 1Eh, 3 times
                mov bx, 0x001E
                mov cx, 3
                int 0x10
                mov ah, 0x03
                xor bh, bh
                int 0x10
                mov [0x600], dx
                exit 5
            text: db "Hi", 13, 10, "there", 0
            """)
        let floppy = Self.image(1_474_560, boot: boot)
        let m = try Self.machine { $0.floppyImages = [.init(path: floppy.path)] }
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 11))
        let screen = Self.screen(m, count: 160 * 25)
        func row(_ r: Int) -> String { String(decoding: stride(from: 0, to: 160, by: 2).map { screen[r * 160 + $0] }, as: UTF8.self) }
        #expect(row(0).hasPrefix("Hi      "))
        // AH=09h writes at the cursor (row 1, column 5) and leaves it there.
        #expect(row(1).hasPrefix("thereXXX "))
        #expect(screen[160 + 11] == 0x1E && screen[160 + 15] == 0x1E && screen[160 + 9] == 0x07 && screen[160 + 17] == 0x07)
        #expect(Self.word(m, 0x600) == 0x0105)  // row 1, column 5
    }

    @Test("INT 08h advances the BIOS tick count at 18.2 Hz and INT 1Ah reads it and the RTC")
    func ticksAndClock() throws {
        let boot = try Self.bootSector("""
                mov ah, 0x02
                int 0x1A
                mov [0x604], cx
                mov [0x606], dx
                mov ah, 0x04
                int 0x1A
                mov [0x608], cx
                mov [0x60A], dx
                xor ah, ah
                int 0x1A
                mov [0x600], dx
                mov [0x602], cx
                mov bx, dx
                add bx, 18
                sti
            .wait:
                hlt
                xor ah, ah
                int 0x1A
                cmp dx, bx
                jb .wait
                mov [0x60C], dx
                exit 6
            """)
        let floppy = Self.image(1_474_560, boot: boot)
        let m = try Self.machine { $0.floppyImages = [.init(path: floppy.path)] }
        let start = m.now
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 13))
        // 12:34:56 is 45 296 s after midnight: 824 676 ticks.
        let first = Self.dword(m, 0x600)
        #expect(first >= 824_676 && first < 824_676 + 40)
        #expect(Self.word(m, 0x604) == 0x1234 && Self.word(m, 0x606) >> 8 == 0x56 || Self.word(m, 0x606) >> 8 == 0x57)
        #expect(Self.word(m, 0x608) == 0x2024 && Self.word(m, 0x60A) == 0x0131)
        // 18 ticks of 54.9 ms.
        #expect(m.now.nanoseconds - start.nanoseconds >= 18 * 54_925_000)
    }

    @Test("keys typed on the PS/2 keyboard reach INT 16h through INT 09h (shift, E0 keys, buffer)")
    func keyboard() throws {
        let boot = try Self.bootSector("""
                mov byte [0x6F0], 0xAA  ; ready
                xor ah, ah
                int 0x16
                mov [0x600], ax
                xor ah, ah
                int 0x16
                mov [0x602], ax
                mov ah, 0x10
                int 0x16
                mov [0x604], ax
                mov ah, 0x01
                int 0x16
                setz [0x606]
                exit 7
            """)
        let floppy = Self.image(1_474_560, boot: boot)
        let m = try Self.machine { $0.floppyImages = [.init(path: floppy.path)] }
        while m.memory.bytes(at: 0x6F0, count: 1) != [0xAA] {
            #expect(m.run(wallClockLimit: 60, instructionLimit: m.cpu.instructionsRetired + 200_000) == .instructionLimit)
            if m.cpu.instructionsRetired > 400_000_000 { Issue.record("the boot sector never ran"); return }
        }
        let kbd = m.ps2.keyboard
        kbd.press(.a)
        kbd.release(.a)
        kbd.press(.leftShift)
        kbd.press(.b)
        kbd.release(.b)
        kbd.release(.leftShift)
        kbd.press(.up)
        kbd.release(.up)
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 15))
        #expect(Self.word(m, 0x600) == 0x1E61)
        #expect(Self.word(m, 0x602) == 0x3042)
        #expect(Self.word(m, 0x604) == 0x48E0)  // gray Up through the enhanced function
        #expect(m.memory.bytes(at: 0x606, count: 1) == [1])
    }

    /// A PCI function with a prefetchable memory BAR (like a VGA LFB), an I/O BAR and INTA#.
    final class TestPCIDevice: PCIFunction {
        let config = PCIConfigSpace(identity: PCIDeviceIdentity(vendorID: 0x1234, deviceID: 0x5678, revision: 1,
                                                                classCode: PCIClassCode(baseClass: 0x03, subclass: 0x00)),
                                    interruptPin: .intA)
        init() {
            config.defineBAR(0, .memory(size: 16 << 20, prefetchable: true))
            config.defineBAR(1, .io(size: 32))
            config.defineBAR(2, .memory(size: 4096, prefetchable: false))
        }
    }

    @Test("POST assigns PCI BARs and IRQs, runs option ROMs, and writes ACPI, SMBIOS, MP, $PIR and BIOS32 tables")
    func platform() throws {
        let boot = try Self.bootSector("""
                mov ax, 0xB101
                int 0x1A
                mov [0x600], edx
                mov ax, 0xB102
                mov cx, 0x5678
                mov dx, 0x1234
                xor si, si
                int 0x1A
                mov [0x604], bx
                setc [0x606]
                mov ax, 0xB10A          ; read BAR0 of the device found
                mov di, 0x10
                int 0x1A
                mov [0x608], ecx
                exit 8
            """)
        let floppy = Self.image(1_474_560, boot: boot)
        let m = try Self.machine { $0.floppyImages = [.init(path: floppy.path)] }
        let device = TestPCIDevice()
        m.pci.register(device, device: 5, function: 0)
        // An option ROM at C8000h: stores a marker, returns.
        var rom = try assemble("""
            bits 16
            org 0
                db 0x55, 0xAA, 1
                push ds
                xor ax, ax
                mov ds, ax
                mov word [0x6F2], 0xBEEF
                pop ds
                retf
            times 511-($-$$) db 0
                db 0
            """)
        rom[511] = 0 &- rom.reduce(0, &+)
        m.memory.mapROM(rom, at: 0xC8000)
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 17))
        #expect(Self.dword(m, 0x600) == 0x2049_4350)
        #expect(Self.word(m, 0x604) == 5 << 3 && m.memory.bytes(at: 0x606, count: 1) == [0])
        let bar0 = device.config.read(offset: 0x10, width: .dword)
        // Memory BARs from 0xE000_0000 down the PCI hole, largest first (the VGA's 16 MiB
        // framebuffer comes before this device's).
        #expect(bar0 & ~0xF >= 0xE000_0000 && bar0 & ~0xF < 0xFEC0_0000 && bar0 & 0x8 == 0x8)
        #expect(Self.dword(m, 0x608) == bar0)
        let bar1 = device.config.read(offset: 0x14, width: .dword)
        #expect(bar1 & ~3 >= 0xC000 && bar1 & 1 == 1)
        let bar2 = device.config.read(offset: 0x18, width: .dword)
        #expect(bar2 >= 0xE000_0000 && bar2 < 0xFEC0_0000 && bar2 % 4096 == 0 && bar2 & ~0xF != bar0 & ~0xF)
        #expect(device.config.read(offset: 0x04, width: .word) & 0x7 == 0x7)
        // Device 5, INTA# → PIRQB# → IRQ 10 (PIIX3 route register 61h).
        #expect(device.config.read(offset: 0x3C, width: .byte) == 10)
        #expect(m.isaBridge.config.read(offset: 0x61, width: .byte) == 10)
        #expect(Self.word(m, 0x6F2) == 0xBEEF)
        // Tables: anchors on 16-byte boundaries of the BIOS area with valid checksums.
        let area = m.memory.bytes(at: 0xE0000, count: 0x20000)
        func find(_ sig: String, length: (Int) -> Int) -> Int? {
            let s = Array(sig.utf8)
            for o in stride(from: 0, to: area.count - 32, by: 16) where Array(area[o..<o + s.count]) == s {
                let n = length(o)
                if n > 0, o + n <= area.count, area[o..<o + n].reduce(0, &+) == 0 { return o }
            }
            return nil
        }
        #expect(find("RSD PTR ", length: { _ in 20 }) == 0)
        #expect(find("_32_", length: { _ in 16 }) != nil)
        #expect(find("_SM_", length: { _ in 31 }).map { $0 >= 0x10000 } == true)
        #expect(find("_MP_", length: { _ in 16 }).map { $0 >= 0x10000 } == true)
        #expect(find("$PIR", length: { o in Int(area[o + 6]) | Int(area[o + 7]) << 8 }).map { $0 >= 0x10000 } == true)
        #expect(m.biosServices?.acpiTables != nil)
        // The BIOS segments are read-only again after POST.
        m.memory.write(GuestPhysicalAddress(0xFFFF0), width: .byte, value: 0)
        #expect(m.memory.bytes(at: 0xFFFF0, count: 1) == [0xEA])
    }

    @Test("absurd INT 13h requests get error statuses, never a host trap")
    func absurdRequests() throws {
        let boot = try Self.bootSector("""
                xor ax, ax
                mov es, ax
                mov word [0x600], 0
                mov si, 0
            .loop:
                ; Sweep functions 00h–FFh on drives 00h, 81h, E0h, FFh with odd registers.
                mov ax, si
                mov ah, al
                mov al, 0xFF
                mov bx, 0xFFF0
                mov cx, 0xFFFF
                mov dx, 0xFF80
                mov di, 0xFFFF
                push si
                mov si, 0xFFF0
                cmp ah, 0x4B
                je .skip
                int 0x13
                mov dl, 0xE0
                int 0x13
                mov dl, 0xFF
                int 0x13
            .skip:
                pop si
                inc word [0x600]
                inc si
                cmp si, 0x100
                jb .loop
                exit 9
            """)
        let floppy = Self.image(1_474_560, boot: boot)
        let tiny = TemporaryDiskImage(byteCount: 512)
        let m = try Self.machine {
            $0.floppyImages = [.init(path: floppy.path)]
            $0.hardDisks = [.init(path: tiny.path)]
        }
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 19))
        #expect(Self.word(m, 0x600) == 0x100)
    }

    @Test("with nothing bootable the BIOS says so on COM1 and the screen")
    func noBootableDevice() throws {
        let serial = FileManager.default.temporaryDirectory.appendingPathComponent("partita-\(UUID().uuidString)-com1").path
        defer { try? FileManager.default.removeItem(atPath: serial) }
        let m = try Self.machine { $0.serial = .file(serial) }
        #expect(m.run(wallClockLimit: 60, instructionLimit: 12_000_000) == .instructionLimit)
        m.flushOutputs()
        let text = try String(contentsOfFile: serial, encoding: .utf8)
        #expect(text.contains("Partita BIOS"))
        #expect(text.contains("No bootable device."))
        let screen = Self.screen(m, count: 160 * 3)
        #expect(String(decoding: stride(from: 160, to: 160 + 38, by: 2).map { screen[$0] }, as: UTF8.self) == "No bootable device.")
    }
    @Test("a BIOS-booted machine with a disk saves and restores; a changed disk image is refused")
    func snapshotWithDisks() throws {
        let boot = try Self.bootSector("""
                sti
            .idle:
                inc dword [0x600]
                hlt
                jmp .idle
            """)
        let disk = Self.image(1 << 20, boot: boot)
        let m = try Self.machine {
            $0.hardDisks = [.init(path: disk.path)]
            $0.bootOrder = [.hardDisk]
        }
        #expect(m.run(wallClockLimit: 60, instructionLimit: 8_000_000) == .instructionLimit)
        #expect(Self.dword(m, 0x600) > 0, "the boot sector did not run")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("partita-\(UUID().uuidString).snap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try m.saveSnapshot(to: path)
        let restored = try PCMachine.restore(from: path)
        #expect(restored.configuration.hardDisks == [.init(path: disk.path)])
        #expect(restored.configuration.bootOrder == [.hardDisk])
        #expect(restored.legacyDisks.hardDisks.count == 1)
        let before = Self.dword(restored, 0x600)
        #expect(restored.run(wallClockLimit: 60, instructionLimit: 9_000_000) == .instructionLimit)
        #expect(Self.dword(restored, 0x600) > before)
        // Another image under the same name: the BIOS section's identity check refuses it.
        let handle = FileHandle(forWritingAtPath: disk.path)!
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 0, count: 512))
        try? handle.close()
        #expect(throws: (any Error).self) { _ = try PCMachine.restore(from: path) }
    }

    /// The Bochs DISPI registers (index 1CEh, data 1CFh) as a VBE BIOS sees them: ID B0C5h,
    /// 16 MiB of video memory, the rest stored.
    final class FakeDISPI: PortIODevice {
        var index: UInt16 = 0
        var registers = [UInt16](repeating: 0, count: 16)
        init() {
            registers[0] = 0xB0C5
            registers[10] = 256
        }
        func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
            port.value == 0x1CE ? UInt32(index) : UInt32(registers[Int(index & 15)])
        }
        func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
            if port.value == 0x1CE { index = UInt16(truncatingIfNeeded: value) } else if index != 0 && index != 10 {
                registers[Int(index & 15)] = UInt16(truncatingIfNeeded: value)
            }
        }
    }

    @Test("the VGA BIOS option ROM takes over INT 10h: text, 1Ah, 1130h fonts, mode 13h pixels and characters, VBE on DISPI")
    func videoBIOS() throws {
        let boot = try Self.bootSector("""
                mov ah, 0x0F
                int 0x10
                mov [0x600], ax
                mov ax, 0x0E48          ; 'H'
                int 0x10
                mov ax, 0x1A00
                int 0x10
                mov [0x602], ax
                mov [0x604], bx
                push es
                mov ax, 0x1130
                mov bh, 6
                int 0x10
                mov [0x606], bp
                mov [0x608], es
                mov [0x60A], cx
                pop es
                mov ax, 0x0013
                int 0x10
                mov ax, 0x0C2A          ; pixel (10, 5) colour 2Ah
                xor bh, bh
                mov cx, 10
                mov dx, 5
                int 0x10
                mov ax, 0x0D00
                int 0x10
                mov [0x60C], al
                mov ax, 0x0E58          ; 'X' in colour 0Fh at row 0, column 0
                mov bx, 0x000F
                int 0x10
                ; VBE
                mov ax, 0x4F00
                mov di, 0x7000
                int 0x10
                mov [0x610], ax
                mov ax, 0x4F01
                mov cx, 0x118
                mov di, 0x7400
                int 0x10
                mov [0x612], ax
                mov ax, 0x4F02
                mov bx, 0x4118
                int 0x10
                mov [0x614], ax
                mov ax, 0x4F03
                int 0x10
                mov [0x616], bx
                exit 10
            """)
        let floppy = Self.image(1_474_560, boot: boot)
        let vga = [UInt8](try Data(contentsOf: Self.packageRoot.appendingPathComponent("roms/partita-vgabios.bin")))
        let m = try Self.machine {
            $0.floppyImages = [.init(path: floppy.path)]
            $0.videoBIOS = vga
        }
        let dispi = FakeDISPI()
        m.ports.register(dispi, ports: 0x1CE...0x1CF)
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 21))
        #expect(Self.word(m, 0x600) == 0x5003)  // 80 columns, mode 3
        #expect(Self.word(m, 0x602) & 0xFF == 0x1A && Self.word(m, 0x604) == 0x0008)
        #expect(Self.word(m, 0x608) == 0xC000 && Self.word(m, 0x60A) == 16)
        let font = Int(Self.word(m, 0x606))
        #expect(m.memory.bytes(at: UInt32(0xC0000 + font + 0x41 * 16), count: 16) == Array(vga[font + 0x41 * 16..<font + 0x42 * 16]))
        #expect(m.memory.bytes(at: 0x60C, count: 1) == [0x2A])
        #expect(m.memory.bytes(at: 0xA0000 + 5 * 320 + 10, count: 1) == [0x2A])
        // 'X' drawn from the 8x8 font in colour 0Fh.
        let cell = (0..<8).flatMap { row in m.memory.bytes(at: UInt32(0xA0000 + row * 320), count: 8) }
        #expect(cell.contains(0x0F) && cell.allSatisfy { $0 == 0 || $0 == 0x0F })
        #expect(Self.word(m, 0x610) == 0x004F && m.memory.bytes(at: 0x7000, count: 4) == Array("VESA".utf8))
        #expect(Self.word(m, 0x7004) == 0x0300)
        #expect(Self.word(m, 0x612) == 0x004F && Self.word(m, 0x7400 + 18) == 1024 && m.memory.bytes(at: 0x7400 + 25, count: 1) == [24])
        #expect(Self.word(m, 0x614) == 0x004F)
        #expect(dispi.registers[1] == 1024 && dispi.registers[2] == 768 && dispi.registers[3] == 24)
        #expect(dispi.registers[4] == 0x41)
        #expect(Self.word(m, 0x616) == 0x4118)
    }

    @Test("SeaBIOS runs Partita's VGA BIOS (fw_cfg vgaroms/) and prints its banner through it into B8000h")
    func videoBIOSUnderSeaBIOS() throws {
        guard let seabios = FileManager.default.contents(atPath: "/usr/share/seabios/bios.bin") else {
            print("skipped: SeaBIOS is not installed (apt-get install seabios)")
            return
        }
        var config = MachineConfiguration()
        config.firmware = [UInt8](seabios)
        config.videoBIOS = [UInt8](try Data(contentsOf: Self.packageRoot.appendingPathComponent("roms/partita-vgabios.bin")))
        config.clock = .virtual
        let m = try PCMachine(config)
        _ = m.run(wallClockLimit: 120, instructionLimit: 60_000_000)
        let screen = Self.screen(m, count: 160 * 25)
        let text = String(decoding: stride(from: 0, to: screen.count, by: 2).map { screen[$0] }, as: UTF8.self)
        #expect(text.contains("SeaBIOS"), "screen: \(text.prefix(400))")
        // Mode 3 set by the VGA BIOS: 80 columns in the BDA.
        #expect(Self.word(m, 0x44A) == 80 && m.memory.bytes(at: 0x449, count: 1) == [3])
    }

    @Test("INT 15h 86h waits on the RTC, A20 and configuration services answer, INT 14h sends on COM1")
    func systemServices() throws {
        let boot = try Self.bootSector("""
                mov ax, 0x2402
                int 0x15
                mov [0x600], al         ; A20 state before
                mov ax, 0x2401
                int 0x15
                setc [0x601]
                mov ax, 0x2402
                int 0x15
                mov [0x602], al
                mov ah, 0xC0
                int 0x15
                mov [0x604], bx
                mov [0x606], es
                mov al, [es:bx + 2]
                mov [0x608], al         ; model byte of the configuration table
                mov ah, 0x88
                int 0x15
                mov [0x60A], ax
                mov ax, 0x5300
                xor bx, bx
                int 0x15
                mov [0x60C], ax
                mov [0x60E], bx
                mov ah, 0x86            ; wait 250 000 µs
                mov cx, 0x0003
                mov dx, 0xD090
                int 0x15
                setc [0x610]
                mov ax, 0x0141          ; INT 14h: send 'A' on COM1
                xor dx, dx
                int 0x14
                mov [0x612], ax
                int 0x11
                mov [0x614], ax
                exit 11
            """)
        let floppy = Self.image(1_474_560, boot: boot)
        let serial = FileManager.default.temporaryDirectory.appendingPathComponent("partita-\(UUID().uuidString)-com1").path
        defer { try? FileManager.default.removeItem(atPath: serial) }
        let m = try Self.machine {
            $0.floppyImages = [.init(path: floppy.path)]
            $0.serial = .file(serial)
        }
        var waitStart: UInt64 = 0
        m.betweenSlices = { machine in
            if waitStart == 0 && machine.cpu.eip >= 0x7C00 && machine.cpu.eip < 0x7E00 { waitStart = machine.now.nanoseconds }
        }
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 23))
        m.flushOutputs()
        #expect(m.memory.bytes(at: 0x601, count: 2) == [0, 1])
        #expect(Self.word(m, 0x606) == 0xF000 && Self.word(m, 0x604) == 0xE6F5)
        #expect(m.memory.bytes(at: 0x608, count: 1) == [0xFC])
        #expect(Self.word(m, 0x60A) == 31 * 1024 - 64)  // 32 MiB: 31 MiB above 1 MiB, less the ACPI tables
        #expect(Self.word(m, 0x60C) == 0x0102 && Self.word(m, 0x60E) == 0x504D)
        #expect(m.memory.bytes(at: 0x610, count: 1) == [0])
        #expect(m.now.nanoseconds - waitStart >= 250_000_000)
        #expect(Self.word(m, 0x612) & 0x8000 == 0)
        #expect(try String(contentsOfFile: serial, encoding: .utf8).hasSuffix("A"))
        #expect(Self.word(m, 0x614) & 0x0E00 == 0x0800)  // COM1–COM4
    }

    @Test("INT 15h C2h drives the PS/2 mouse: reset, init, handler; IRQ 12 packets reach the handler")
    func mouse() throws {
        let boot = try Self.bootSector("""
                mov ax, 0xC201          ; reset: BL = AAh, BH = ID 0
                int 0x15
                mov [0x600], bx
                setc [0x602]
                mov ax, 0xC205          ; 3-byte packets
                mov bh, 3
                int 0x15
                setc [0x603]
                push cs
                pop es
                mov bx, handler
                mov ax, 0xC207
                int 0x15
                mov ax, 0xC200          ; enable
                mov bh, 1
                int 0x15
                setc [0x604]
                mov [0x605], ah
                mov byte [0x6F0], 0xAA
                sti
            .wait:
                hlt
                cmp word [0x610], 0
                je .wait
                exit 12
            handler:
                push bp
                mov bp, sp
                mov ax, [bp + 12]       ; status (DS is the BIOS's here: store through CS = 0)
                mov [cs:0x612], ax
                mov ax, [bp + 10]       ; X
                mov [cs:0x614], ax
                mov ax, [bp + 8]        ; Y
                mov [cs:0x616], ax
                inc word [cs:0x610]
                pop bp
                retf
            """)
        let floppy = Self.image(1_474_560, boot: boot)
        let m = try Self.machine { $0.floppyImages = [.init(path: floppy.path)] }
        while m.memory.bytes(at: 0x6F0, count: 1) != [0xAA] {
            #expect(m.run(wallClockLimit: 60, instructionLimit: m.cpu.instructionsRetired + 200_000) == .instructionLimit)
            if m.cpu.instructionsRetired > 400_000_000 { Issue.record("the boot sector never ran"); return }
        }
        m.ps2.mouse.move(dx: 5, dy: 3)
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 25))
        #expect(Self.word(m, 0x600) == 0x00AA)
        #expect(m.memory.bytes(at: 0x602, count: 4) == [0, 0, 0, 0])
        #expect(Self.word(m, 0x612) & 0x08 == 0x08, "packet \(m.memory.bytes(at: 0x612, count: 6)) ebda \(m.memory.bytes(at: 0x9FC00 + 0x22, count: 16))")  // bit 3 is always set in the first byte
        // Y counts up the screen: 3 down is FDh with the Y sign bit (5) in the status byte.
        #expect(Self.word(m, 0x614) == 5 && Self.word(m, 0x616) == 0xFD && Self.word(m, 0x612) & 0x20 == 0x20)
    }
}
