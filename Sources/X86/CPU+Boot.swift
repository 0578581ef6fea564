// Entry states that loaders and tests set up directly (no firmware in between).

extension CPU {
    /// Puts the CPU in 32-bit protected mode with flat 4 GiB segments, as the Linux 32-bit boot
    /// protocol and multiboot expect: CS = `codeSelector` (execute/read, DPL 0), the data
    /// segments = `dataSelector` (read/write, DPL 0), paging off, interrupts disabled.
    /// The GDT itself is the loader's business (`gdtrBase`/`gdtrLimit`).
    public func enterFlatProtectedMode(codeSelector: UInt16 = 0x10, dataSelector: UInt16 = 0x18) {
        cr0 = (cr0 | CR0.pe) & ~CR0.pg
        flagsReg = 2
        lazyMask = 0
        cpl = 0
        setSegment(.cs, SegmentCache(selector: codeSelector, base: 0, limit: 0xFFFF_FFFF, access: 0x9B, flags: 0xC))
        for s in [SegmentRegister.es, .ss, .ds, .fs, .gs] {
            setSegment(s, SegmentCache(selector: dataSelector, base: 0, limit: 0xFFFF_FFFF, access: 0x93, flags: 0xC))
        }
        tr = SegmentCache(selector: 0, base: 0, limit: 0xFFFF, access: 0x8B, flags: 0)
        refreshAllRights()
        flushTLB(includingGlobal: true)
    }
}
