// Assembly fragments shared by the tests that run guest code on a real CPU.

enum GuestSnippets {
    /// Linux's init_8259A sequence (ICW1–4 on both chips, vectors 0x20/0x28), then only IRQ0
    /// unmasked. Assembles the same in 16- and 32-bit code.
    static let initPICsOnlyIRQ0 = """
                mov al, 0x11
                out 0x20, al
                mov al, 0x20
                out 0x21, al
                mov al, 0x04
                out 0x21, al
                mov al, 0x01
                out 0x21, al
                mov al, 0x11
                out 0xA0, al
                mov al, 0x28
                out 0xA1, al
                mov al, 0x02
                out 0xA1, al
                mov al, 0x01
                out 0xA1, al
                mov al, 0xFE
                out 0x21, al
                mov al, 0xFF
                out 0xA1, al

    """
}
