// IN/OUT with the protected-mode IOPL check and the TSS I/O permission bitmap.

import EmulatorCore

extension CPU {
    /// #GP(0) unless the current privilege may access `size` ports at `port` (SDM Vol. 1 §18.5).
    @inline(__always) func checkIOPermission(_ port: UInt16, _ size: Int) throws(CPUFault) {
        if !protectedMode || (!v86Mode && cpl <= iopl) { return }
        try checkIOBitmap(port, size)
    }

    @inline(never) func checkIOBitmap(_ port: UInt16, _ size: Int) throws(CPUFault) {
        // Only a 32-bit TSS has a bitmap.
        if tr.access & 0x8 == 0 || !tr.usable || tr.limit < 0x67 { throw CPUFault.gp(0) }
        let base = UInt32(try readSys16(tr.base &+ 0x66))
        let byteOff = base &+ UInt32(port >> 3)
        if byteOff &+ 1 > tr.limit { throw CPUFault.gp(0) }
        let bits = UInt32(try readSys16(tr.base &+ byteOff))
        let mask = ((UInt32(1) << UInt32(size)) - 1) << UInt32(port & 7)
        if bits & mask != 0 { throw CPUFault.gp(0) }
    }

    func ioRead(_ port: UInt16, _ size: Int) -> UInt32 {
        if breakpointsArmed { checkIOBreakpoints(port, size) }
        let w: AccessWidth = size == 1 ? .byte : (size == 2 ? .word : .dword)
        return ports.read(IOPort(port), width: w)
    }

    func ioWrite(_ port: UInt16, _ size: Int, _ v: UInt32) {
        if breakpointsArmed { checkIOBreakpoints(port, size) }
        let w: AccessWidth = size == 1 ? .byte : (size == 2 ? .word : .dword)
        ports.write(IOPort(port), width: w, value: v)
    }

    func portIn(_ port: UInt16, _ size: Int) throws(CPUFault) -> UInt32 {
        try checkIOPermission(port, size)
        return ioRead(port, size)
    }

    func portOut(_ port: UInt16, _ size: Int, _ v: UInt32) throws(CPUFault) {
        try checkIOPermission(port, size)
        ioWrite(port, size, v)
    }
}
