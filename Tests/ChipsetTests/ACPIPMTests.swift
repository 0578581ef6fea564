import Foundation
import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("PIIX4 ACPI power management")
struct ACPIPMTests {
    static let layout = ACPIPMLayout.standard
    static let pm1Status = layout.pm1aEventBlock
    static let pm1Enable = layout.pm1aEventBlock + 2
    static let pm1Control = layout.pm1aControlBlock
    static let pmTimer = layout.pmTimerBlock
    static let gpeStatus = layout.gpe0Block
    static let gpeEnable = layout.gpe0Block + 2
    static let devfn = PCIBench.pmDevfn

    /// A bench with the PM block where the firmware puts it and ACPI mode on.
    static func acpiBench() -> PCIBench {
        let b = PCIBench()
        b.enablePMBlock()
        #expect(b.acpiEnable())
        return b
    }

    /// Linux acpi_pm_read: a dword from PM_TMR_BLK, 24 bits.
    static func readTimer(_ b: PCIBench) -> UInt32 { b.inl(pmTimer) & 0xFF_FFFF }

    @Test("00:01.3 is the PIIX4 power-management function: 8086:7113, class 06/80, revision 03, PMBA bit 0 set")
    func identity() {
        let b = PCIBench()
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x00, len: 4) == 0x7113_8086)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x08, len: 4) == 0x0680_0003)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x0E, len: 1) == 0x00)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x40, len: 4) == 0x0000_0001)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x80, len: 1) == 0x00)
    }

    @Test("no SMM: DEVACTB.APMC_EN reads set from reset and stays set, as SeaBIOS expects of QEMU with smm=off")
    func apmcEnableWithoutSMM() {
        let b = PCIBench()
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x58, len: 4) == 1 << 25)
        b.conf1Write(devfn: Self.devfn, reg: 0x58, len: 4, value: 0x0000_0011)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x58, len: 4) == (1 << 25) | 0x11)
    }

    @Test("the SMBus registers read as zeros and ignore writes (no SMBus controller)")
    func smbusStub() {
        let b = PCIBench()
        b.conf1Write(devfn: Self.devfn, reg: 0x90, len: 4, value: 0xFFFF_FFFF)
        b.conf1Write(devfn: Self.devfn, reg: 0xD2, len: 1, value: 0x01)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x90, len: 4) == 0)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0xD0, len: 4) == 0)
    }

    @Test("PMBA with PMIOSE maps the 64-byte PM block; moving PMBA moves it and clearing PMIOSE unmaps it")
    func pmBlockDecode() {
        let b = PCIBench()
        b.conf1Write(devfn: Self.devfn, reg: 0x40, len: 4, value: 0x0000_B03F)  // bits 5:1 are not address bits
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x40, len: 4) == 0x0000_B001)
        #expect(!b.ports.isClaimed(IOPort(0xB000)))  // PMIOSE still clear
        b.conf1Write(devfn: Self.devfn, reg: 0x80, len: 1, value: 0xFF)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x80, len: 1) == 0x01)
        #expect(b.ports.isClaimed(IOPort(0xB000)) && b.ports.isClaimed(IOPort(0xB03F)))
        #expect(!b.ports.isClaimed(IOPort(0xB040)))
        #expect(b.pm.pmBlock == PCIBARRegion(space: .io, base: 0xB000, size: 64))
        b.conf1Write(devfn: Self.devfn, reg: 0x40, len: 4, value: UInt32(PCIBench.pmBase))
        #expect(!b.ports.isClaimed(IOPort(0xB000)) && b.ports.isClaimed(IOPort(PCIBench.pmBase)))
        #expect(b.inw(Self.pm1Control) == 0)
        b.conf1Write(devfn: Self.devfn, reg: 0x80, len: 1, value: 0)
        #expect(!b.ports.isClaimed(IOPort(PCIBench.pmBase)))
        #expect(b.pm.pmBlock == nil)
    }

    @Test("configureAsFirmware puts the PM block at the layout's base")
    func firmwareSetup() {
        let b = PCIBench()
        b.pm.configureAsFirmware()
        #expect(b.pm.pmBlock?.base == UInt32(Self.layout.pmBase))
        #expect(b.ports.isClaimed(IOPort(Self.layout.pmTimerBlock)))
    }

    @Test("the layout gives the FADT one set of values: PM1a event/control, PM timer, GPE0, SCI, SMI_CMD, \\_S5")
    func layoutValues() {
        let l = ACPIPMLayout.standard
        #expect(l.pm1aEventBlock == 0x600 && l.pm1EventLength == 4)
        #expect(l.pm1aControlBlock == 0x604 && l.pm1ControlLength == 2)
        #expect(l.pmTimerBlock == 0x608 && l.pmTimerLength == 4 && !l.timerIs32Bit)
        #expect(l.gpe0Block == 0x60C && l.gpe0Length == 4)
        #expect(l.sciIRQ == 9 && l.smiCommandPort == 0xB2 && l.acpiEnable == 0xF1 && l.acpiDisable == 0xF0)
        #expect(l.s5SleepType == 0 && l.timerFrequencyHz == 3_579_545)
    }

    @Test("the PM timer counts 3.579545 MHz ticks of virtual time, read as Linux's acpi_pm_read does")
    func timerRate() {
        let b = Self.acpiBench()
        #expect(Self.readTimer(b) == 0)
        b.advance(to: 1_000_000_000)
        #expect(Self.readTimer(b) == 3_579_545)
        b.advance(to: 1_000_000_279)  // 279 ns is just under one tick (279.4 ns)
        #expect(Self.readTimer(b) == 3_579_545)
        b.advance(to: 1_000_000_280)
        #expect(Self.readTimer(b) == 3_579_546)
        #expect(b.inl(Self.pmTimer) >> 24 == 0)  // bits 31:24 read 0
        #expect(b.inb(Self.pmTimer + 2) == UInt8(3_579_546 >> 16))
        #expect(PIIX4PowerManagement.clockTicks(at: PIIX4PowerManagement.time(ofTick: 123_456_789)) == 123_456_789)
    }

    @Test("the PM timer wraps at 24 bits")
    func timerWraps() {
        let b = Self.acpiBench()
        b.advance(to: PIIX4PowerManagement.time(ofTick: (1 << 24) - 1))
        #expect(Self.readTimer(b) == 0xFF_FFFF)
        b.advance(to: PIIX4PowerManagement.time(ofTick: (1 << 24) + 5))
        #expect(Self.readTimer(b) == 5)
        b.advance(to: PIIX4PowerManagement.time(ofTick: 3 << 24 | 0x12_3456))
        #expect(Self.readTimer(b) == 0x12_3456)
    }

    @Test("TMR_STS is set by each change of timer bit 23 (no timer armed while TMR_EN is clear) and is RW1C")
    func timerStatusLazy() {
        let b = Self.acpiBench()
        #expect(b.scheduler.nextDeadline == nil)
        b.advance(to: PIIX4PowerManagement.time(ofTick: (1 << 23) - 1))
        #expect(b.inw(Self.pm1Status) & 1 == 0)
        b.advance(to: PIIX4PowerManagement.time(ofTick: 1 << 23))
        #expect(b.inw(Self.pm1Status) & 1 == 1)
        b.outw(0x0001, Self.pm1Status)
        #expect(b.inw(Self.pm1Status) & 1 == 0)
        b.advance(to: PIIX4PowerManagement.time(ofTick: (2 << 23) + 7))  // bit 23 falls
        b.outw(0x0000, Self.pm1Status)  // writing 0 clears nothing
        #expect(b.inw(Self.pm1Status) & 1 == 1)
        #expect(!b.irqs[9].level)
        #expect(b.scheduler.nextDeadline == nil)
    }

    @Test("with SCI_EN and TMR_EN the SCI rises exactly at the bit-23 change; one timer is armed per edge")
    func timerSCI() {
        let b = Self.acpiBench()
        b.outw(0x0001, Self.pm1Enable)
        let edge = PIIX4PowerManagement.time(ofTick: 1 << 23)
        #expect(b.scheduler.nextDeadline == edge)
        b.advance(to: VirtualTime(nanoseconds: edge.nanoseconds - 1))
        #expect(!b.irqs[9].level)
        b.advance(to: edge)
        #expect(b.irqs[9].level && b.pm.sciLevel)
        #expect(b.scheduler.nextDeadline == nil)  // nothing more until the status is cleared
        // The SCI handler (acpi_ev_fixed_event_detect): read status and enable, clear the status.
        let status = b.inw(Self.pm1Status), enable = b.inw(Self.pm1Enable)
        #expect(status & enable == 0x0001)
        b.outw(0x0001, Self.pm1Status)
        #expect(!b.irqs[9].level)
        #expect(b.scheduler.nextDeadline == PIIX4PowerManagement.time(ofTick: 2 << 23))
        b.advance(to: PIIX4PowerManagement.time(ofTick: 2 << 23))
        #expect(b.irqs[9].level)
        #expect(b.irqs[9].risingEdges == 2)
        // TMR_EN off: the SCI drops and no timer stays armed.
        b.outw(0x0000, Self.pm1Enable)
        #expect(!b.irqs[9].level && b.scheduler.nextDeadline == nil)
    }

    @Test("the SCI stays low while SCI_EN is clear, whatever is pending and enabled")
    func noSCIWithoutACPIMode() {
        let b = PCIBench()
        b.enablePMBlock()
        b.outw(0x0101, Self.pm1Enable)
        b.pm.powerButton()
        #expect(b.inw(Self.pm1Status) & 0x0100 != 0)
        #expect(!b.irqs[9].level && b.scheduler.nextDeadline == nil)
        #expect(b.acpiEnable())
        #expect(b.irqs[9].level)
    }

    @Test("the power button sets PWRBTN_STS and raises the SCI when PWRBTN_EN is set; clearing the status lowers it")
    func powerButton() {
        let b = Self.acpiBench()
        b.pm.powerButton()
        #expect(b.inw(Self.pm1Status) == 0x0100)
        #expect(!b.irqs[9].level)  // not enabled
        b.outw(0x0100, Self.pm1Enable)
        #expect(b.irqs[9].level)
        b.outw(0x0100, Self.pm1Status)
        #expect(!b.irqs[9].level && b.inw(Self.pm1Status) == 0)
        b.pm.powerButton()
        #expect(b.irqs[9].level)
    }

    @Test("Linux's S5 sequence (clear WAK_STS, write SLP_TYP, then SLP_TYP|SLP_EN) powers off once, at SLP_EN")
    func softOff() {
        let b = Self.acpiBench()
        // acpi_hw_legacy_sleep with \_S5 = 0.
        b.outw(0x8000, Self.pm1Status)
        var control = b.inw(Self.pm1Control)
        control &= ~(0x1C00 | 0x2000)
        control |= UInt16(Self.layout.s5SleepType) << 10
        b.outw(control, Self.pm1Control)
        #expect(b.powerOffs == 0)
        b.outw(control | 0x2000, Self.pm1Control)
        #expect(b.powerOffs == 1)
        #expect(b.inw(Self.pm1Control) & 0x2000 == 0)  // SLP_EN is write-only
    }

    @Test("a sleep type other than S5 is accepted and wakes at once with WAK_STS set")
    func otherSleepWakes() {
        let b = Self.acpiBench()
        b.outw(0x0001 | 4 << 10 | 0x2000, Self.pm1Control)
        #expect(b.powerOffs == 0)
        #expect(b.inw(Self.pm1Status) & 0x8000 != 0)
        #expect(b.inw(Self.pm1Control) == 0x0001 | 4 << 10)
        b.outw(0x8000, Self.pm1Status)
        #expect(b.inw(Self.pm1Status) & 0x8000 == 0)
    }

    @Test("SMI_CMD: ACPI_ENABLE sets SCI_EN, ACPI_DISABLE clears it, other values only read back; APMS is scratch")
    func smiCommand() {
        let b = PCIBench()
        b.enablePMBlock()
        b.outb(0x55, 0xB2)
        #expect(b.inb(0xB2) == 0x55 && b.inw(Self.pm1Control) & 1 == 0)
        #expect(b.acpiEnable())
        b.outb(0xF0, 0xB2)
        #expect(b.inw(Self.pm1Control) & 1 == 0 && !b.pm.isACPIEnabled)
        b.outb(0x5A, 0xB3)
        #expect(b.inb(0xB3) == 0x5A && b.inw(0xB2) == 0x5AF0)
        // SCI_EN is also directly writable.
        b.outw(0x0001, Self.pm1Control)
        #expect(b.pm.isACPIEnabled)
    }

    @Test("GPE0 status raises the SCI when its enable bit is set and is write-1-to-clear")
    func gpe0() {
        let b = Self.acpiBench()
        b.pm.raiseGeneralPurposeEvent(1)
        #expect(b.inw(Self.gpeStatus) == 0x0002 && !b.irqs[9].level)
        b.outw(0x0002, Self.gpeEnable)
        #expect(b.irqs[9].level)
        b.outw(0x0002, Self.gpeStatus)
        #expect(!b.irqs[9].level && b.inw(Self.gpeStatus) == 0 && b.inw(Self.gpeEnable) == 0x0002)
    }

    @Test("GBL_RLS sets BIOS_STS in GLBSTS; BIOS_RLS sets GBL_STS and raises the SCI with GBL_EN; both read back 0")
    func globalLockRelease() {
        let b = Self.acpiBench()
        b.outw(0x0005, Self.pm1Control)
        #expect(b.inw(Self.pm1Control) == 0x0001)
        #expect(b.inw(PCIBench.pmBase + 0x18) & 1 == 1)
        b.outw(0x0020, Self.pm1Enable)
        b.outl(0x0000_0002, PCIBench.pmBase + 0x28)
        #expect(b.inl(PCIBench.pmBase + 0x28) == 0)
        #expect(b.inw(Self.pm1Status) & 0x20 != 0 && b.irqs[9].level)
    }

    @Test("reserved PM1 bits ignore writes; P_LVL2 and P_LVL3 read 0")
    func reservedBits() {
        let b = Self.acpiBench()
        b.outw(0xFFFF, Self.pm1Enable)
        #expect(b.inw(Self.pm1Enable) == 0x0521)
        b.outw(0xFFFF, Self.pm1Control)
        #expect(b.inw(Self.pm1Control) == 0x1C03)
        #expect(b.powerOffs == 0)  // SUS_TYP 7 with SUS_EN: not soft off
        #expect(b.inb(PCIBench.pmBase + 0x14) == 0 && b.inb(PCIBench.pmBase + 0x15) == 0)
    }

    @Test("reset unmaps the PM block, clears events and lowers the SCI; the PM timer keeps counting")
    func resetKeepsTimer() {
        let b = Self.acpiBench()
        b.outw(0x0100, Self.pm1Enable)
        b.pm.powerButton()
        b.advance(to: 2_000_000_000)
        #expect(b.irqs[9].level)
        b.pm.reset()
        #expect(!b.irqs[9].level && b.pm.pmBlock == nil && !b.ports.isClaimed(IOPort(PCIBench.pmBase)))
        #expect(b.inb(0xB2) == 0)
        b.enablePMBlock()
        #expect(b.inw(Self.pm1Status) == 0 && b.inw(Self.pm1Control) == 0)
        #expect(Self.readTimer(b) == 2 * 3_579_545)
    }

    @Test("save, restore into a new device at the same time: same registers, same timer, SCI and next timer edge")
    func saveRestoreRoundTrip() throws {
        let a = Self.acpiBench()
        a.outw(0x0101, Self.pm1Enable)
        a.outb(0x42, 0xB3)
        a.pm.powerButton()
        a.outw(0x0002, Self.gpeEnable)
        a.advance(to: 1_234_567_891)
        let saved = a.pm.saveState()
        let decoded = try JSONDecoder().decode(PIIX4PowerManagement.SavedState.self, from: JSONEncoder().encode(saved))
        #expect(decoded == saved)
        #expect(saved.timerCount == Self.readTimer(a))

        let b = PCIBench()
        b.advance(to: 1_234_567_891)
        try b.pm.restoreState(decoded)
        #expect(b.pm.saveState() == saved)
        #expect(b.ports.isClaimed(IOPort(PCIBench.pmBase)))
        #expect(b.irqs[9].level)
        #expect(Self.readTimer(b) == Self.readTimer(a))
        #expect(b.scheduler.nextDeadline == a.scheduler.nextDeadline)
        for bench in [a, b] {
            bench.outw(0x0100, Self.pm1Status)
            bench.advance(to: PIIX4PowerManagement.time(ofTick: 1 << 23))
        }
        #expect(a.inw(Self.pm1Status) == b.inw(Self.pm1Status))
        #expect(a.irqs[9].level && b.irqs[9].level)
        #expect(Self.readTimer(a) == Self.readTimer(b))
        #expect(a.pm.saveState() == b.pm.saveState())
    }

    @Test("restoring at another virtual time continues the PM timer from the saved count")
    func restoreAtOtherTime() throws {
        let a = Self.acpiBench()
        a.advance(to: 3_000_000_000)
        let saved = a.pm.saveState()
        let b = PCIBench()
        b.advance(to: 500_000_000)
        try b.pm.restoreState(saved)
        #expect(Self.readTimer(b) == Self.readTimer(a))
        b.advance(to: 1_500_000_000)
        #expect(Self.readTimer(b) == (Self.readTimer(a) + 3_579_545) & 0xFF_FFFF)
    }

    @Test("a saved PM state with impossible register bits, a timer over 24 bits or a bad PMBA is refused")
    func corruptRefused() {
        let good = Self.acpiBench().pm.saveState()
        var reservedEnable = good
        reservedEnable.registers[3] = 0x80  // PM1_EN bit 15
        var timerBytes = good
        timerBytes.registers[8] = 0x01  // PMTMR is not stored
        var wideTimer = good
        wideTimer.timerCount = 0x100_0000
        var pmbaType = good
        pmbaType.config.bytes[0x40] = 0x00  // PMBA bit 0 is hardwired to 1
        var shortBlock = good
        shortBlock.registers.removeLast()
        let b = PCIBench()
        b.enablePMBlock(base: 0xB000)
        let before = b.pm.saveState()
        for bad in [reservedEnable, timerBytes, wideTimer, pmbaType, shortBlock] {
            #expect(throws: SnapshotStateError.self) { try b.pm.restoreState(bad) }
        }
        #expect(b.pm.saveState() == before)
        #expect(b.pm.pmBlock?.base == 0xB000)
    }
}
