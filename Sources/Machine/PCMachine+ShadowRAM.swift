// The i440FX PAM registers decide whether 0xC0000–0xFFFFF reads and writes reach RAM or the ROM.

import Chipset
import EmulatorCore

extension PCMachine {
    /// Routes the legacy segments PAM register `register` controls (every segment when nil)
    /// between RAM and ROM as the host bridge's registers say. Power-on (all zero): reads and
    /// writes go to the ROM side — the BIOS image in 0xF0000–0xFFFFF, nothing (all ones) below.
    func applyShadowRegisters(_ register: Int? = nil) {
        for segment in PCIHostBridge.pamSegments where register == nil || segment.register == register {
            let access = hostBridge.access(for: segment)
            memory.setShadow(base: segment.base, size: segment.size,
                             readRAM: access.contains(.read), writeRAM: access.contains(.write))
        }
    }

    /// What firmware leaves for an OS it boots: every legacy segment is plain RAM (read and
    /// write), so tables placed there (the RSDP at 0xE0000) are visible.
    func openShadowRAM() {
        for i in 0..<PCIHostBridge.Register.pamCount {
            hostBridge.configWrite(offset: PCIHostBridge.Register.pam0 + i, width: .byte, value: 0x33)
        }
    }
}
