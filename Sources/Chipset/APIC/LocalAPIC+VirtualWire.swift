// What PC firmware leaves in the bootstrap processor's local APIC before starting an OS.

import EmulatorCore

extension LocalAPIC {
    /// Virtual-wire mode as the BIOS sets it up (MP spec §3.6.2.2, the "virtual wire" mode that
    /// PC BIOSes such as SeaBIOS program): the APIC software-enabled with spurious vector 0xFF,
    /// LINT0 in ExtINT mode (the 8259A's INTR passes through as if there were no APIC) and LINT1
    /// in NMI mode. An OS that boots without firmware in front of it (direct kernel boot) finds
    /// the state it expects; an OS that does not know the APIC still gets the 8259A's interrupts.
    public func configureVirtualWire() {
        mmioWrite(offset: Register.svr, width: .dword, value: SVR.softwareEnable | 0xFF)
        mmioWrite(offset: Register.lvtLINT0, width: .dword,
                  value: UInt32(APICDeliveryMode.extINT.rawValue) << LVTBits.deliveryModeShift)
        mmioWrite(offset: Register.lvtLINT1, width: .dword,
                  value: UInt32(APICDeliveryMode.nmi.rawValue) << LVTBits.deliveryModeShift)
    }
}
