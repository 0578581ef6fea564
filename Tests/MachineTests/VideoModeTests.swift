import Foundation
import Testing
import EmulatorCore
import Graphics
import Machine

/// Small programs booted from a floppy by Partita's BIOS set text, planar, 256-colour and VBE
/// modes through Partita's VGA BIOS and draw; the VGA device's rendered frame must show the
/// pixels they drew, and its hash must stay what it was when these tests were written (a
/// rendering change shows up here, with the new hash in the message).
@Suite("Video modes through the VGA BIOS")
struct VideoModeTests {
    /// Boots `body` (ending with `exit 5`), returns the machine and the rendered frame.
    static func run(_ body: String) throws -> (PCMachine, DisplayFrame) {
        let boot = try BIOSTests.bootSector(body)
        let floppy = BIOSTests.image(1_474_560, boot: boot)
        let m = try BIOSTests.machine { $0.floppyImages = [.init(path: floppy.path)] }
        #expect(m.run(wallClockLimit: 60) == .debugExit(status: 11))
        return (m, m.vga.renderFrame(atNanoseconds: m.now.nanoseconds))
    }

    static func hash(_ frame: DisplayFrame) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(frame.pixels.count * 3)
        for p in frame.pixels { bytes += [UInt8(p >> 16 & 0xFF), UInt8(p >> 8 & 0xFF), UInt8(p & 0xFF)] }
        return bytes.withUnsafeBytes { ContentHash.crc32($0) } + " \(frame.width)x\(frame.height)"
    }

    static func pixel(_ f: DisplayFrame, _ x: Int, _ y: Int) -> UInt32 { f.pixels[y * f.width + x] & 0xFF_FFFF }

    @Test("mode 03h: INT 10h text with attributes renders 720x400 with the font, and textScreen reads it")
    func textMode() throws {
        let (m, frame) = try Self.run("""
                mov ax, 0x0003
                int 0x10
                mov ax, 0x0950          ; 'P', yellow on blue, once
                mov bx, 0x001E
                mov cx, 1
                int 0x10
                mov si, msg
            .next:
                lodsb
                test al, al
                jz .done
                mov ah, 0x0E
                xor bh, bh
                int 0x10
                jmp .next
            .done:
                exit 5
            msg: db "Partita", 0
            """)
        #expect(m.vga.textScreen()?.hasPrefix("Partita") == true, "\(m.vga.textScreen() ?? "nil")")
        #expect(frame.width == 720 && frame.height == 400)
        // Cell (0,0) was written with attribute 1Eh before the teletype overwrote its character:
        // its background stays blue; some pixels of the glyph are set.
        let cell = (0..<16).flatMap { y in (0..<9).map { x in Self.pixel(frame, x, y) } }
        #expect(cell.contains(0x0000AA))
        #expect(cell.contains(0xFFFF55))
        #expect(Self.hash(frame) == "ea85aa9a 720x400", "\(Self.hash(frame))")
    }

    @Test("mode 13h: bytes at A000h become 320x200 pixels through the DAC")
    func mode13() throws {
        let (_, frame) = try Self.run("""
                mov ax, 0x0013
                int 0x10
                push 0xA000
                pop es
                xor di, di
                mov dx, 10
            .row:
                mov cx, 10
                mov al, 4               ; red
                rep stosb
                add di, 310
                dec dx
                jnz .row
                mov byte [es:199*320+319], 0x0F   ; white, bottom right
                exit 5
            """)
        let sx = frame.width / 320, sy = frame.height / 200
        #expect(sx >= 1 && sy >= 1 && frame.width % 320 == 0 && frame.height % 200 == 0)
        #expect(Self.pixel(frame, 5 * sx, 5 * sy) == 0xAA0000)
        #expect(Self.pixel(frame, 12 * sx, 5 * sy) == 0)
        #expect(Self.pixel(frame, 319 * sx, 199 * sy) == 0xFFFFFF)
        #expect(Self.hash(frame) == "fde71fe5 320x200", "\(Self.hash(frame))")
    }

    @Test("mode 12h: INT 10h AH=0Ch pixels in the planar 640x480 16-colour mode")
    func mode12() throws {
        let (_, frame) = try Self.run("""
                mov ax, 0x0012
                int 0x10
                mov ax, 0x0C0E          ; yellow
                xor bh, bh
                mov cx, 100
                mov dx, 50
                int 0x10
                mov ax, 0x0C09          ; light blue
                mov cx, 639
                mov dx, 479
                int 0x10
                exit 5
            """)
        #expect(frame.width == 640 && frame.height == 480)
        #expect(Self.pixel(frame, 100, 50) == 0xFFFF55)
        #expect(Self.pixel(frame, 101, 50) == 0)
        #expect(Self.pixel(frame, 639, 479) == 0x5555FF)
        #expect(Self.hash(frame) == "ea69f14e 640x480", "\(Self.hash(frame))")
    }

    @Test("VBE: mode 118h (1024x768) set through 4F02h, drawn through the banked window")
    func vbe() throws {
        let (m, frame) = try Self.run("""
                mov ax, 0x4F01
                mov cx, 0x0118
                mov di, 0x7000
                int 0x10
                mov [0x600], ax
                mov ax, 0x4F02
                mov bx, 0x0118          ; banked (no LFB bit), cleared
                int 0x10
                mov [0x602], ax
                push 0xA000
                pop es
                mov dword [es:0], 0x000000FF        ; pixel (0,0) blue in 32 bpp
                exit 5
            """)
        #expect(BIOSTests.word(m, 0x600) == 0x004F && BIOSTests.word(m, 0x602) == 0x004F)
        let bpp = m.memory.read(GuestPhysicalAddress(0x7000 + 0x19), width: .byte)
        #expect(frame.width == 1024 && frame.height == 768)
        #expect(bpp == 32 || bpp == 24)
        #expect(Self.pixel(frame, 0, 0) == 0x0000FF)
        #expect(Self.pixel(frame, 5, 5) == 0)
        #expect(Self.hash(frame) == "97fe0db2 1024x768", "\(Self.hash(frame))")
    }
}
