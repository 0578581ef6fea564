// PLACEHOLDER until the x87 module lands.
extension CPU {
    /// Executes an x87 escape opcode (D8–DF); ModR/M not yet fetched.
    func executeFPU(_ opcode: UInt8) throws(CPUFault) {
        if cr0 & (CR0.em | CR0.ts) != 0 { throw CPUFault.nm }
        try decodeModRM()
        throw CPUFault.ud
    }

    /// WAIT/FWAIT (9B): raises #NM when CR0.MP and CR0.TS are set, #MF on a pending unmasked exception.
    func fwait() throws(CPUFault) {
        if cr0 & (CR0.mp | CR0.ts) == (CR0.mp | CR0.ts) { throw CPUFault.nm }
    }
}
