// Mapping the PIIX4 PM block (decoded through PMBA/PMIOSE, not a standard BAR) on the I/O bus.

import EmulatorCore

extension PCIBARMapper {
    /// Maps `pm`'s PM block on the I/O bus wherever PMBA and PMIOSE put it, now and after every change.
    public func attach(_ pm: PIIX4PowerManagement) {
        pm.pmBlockObservers.append { [unowned self, unowned pm] old, new in
            move(.io(pm), from: old, to: new)
        }
        move(.io(pm), from: nil, to: pm.pmBlock)
    }
}
