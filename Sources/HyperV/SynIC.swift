// The synthetic interrupt controller of one virtual processor: message and event-flag pages.

import EmulatorCore

/// One VP's SynIC (TLFS "Synthetic Interrupt Controller"; vmbus-facts.md §7).
///
/// Guest side: SCONTROL, SVERSION, SIMP, SIEFP, EOM and SINT0–15 through `SyntheticMSRs`.
/// Host side: `postMessage(sint:message:)` fills a message slot of the SIM page,
/// `signalEvent(sint:flag:)` sets a bit of the SIEF page; both raise the SINT's vector through
/// `deliver`, which the machine connects to this VP's local APIC as a fixed, edge-triggered
/// interrupt. A SINT delivers nothing while SCONTROL is disabled, its page is disabled, or it is
/// masked; a refused `postMessage` is remembered and `onEndOfMessage` asks for a retry when the
/// guest writes EOM or the SINT becomes deliverable.
///
/// The SIM and SIEF pages are guest RAM at the GPAs the guest chose (Linux allocates them).
/// DEVIATION: Hyper-V overlays hypervisor pages there, zeroed when enabled; here the guest's own
/// (Linux: zeroed) pages are used as they are. Not modelled: synthetic timers, polling-mode
/// message delivery beyond "no interrupt".
public final class SynIC {
    /// This VP's number (HV_X64_MSR_VP_INDEX); names the snapshot section.
    public let vpIndex: Int
    let memory: PhysicalMemory

    /// Raises `vector` on this VP's local APIC; `autoEOI` is the SINT's auto-EOI bit (the APIC
    /// should then not keep the vector in service — see the report for what that needs).
    let deliver: (_ vector: UInt8, _ autoEOI: Bool) -> Void

    /// A SINT whose `postMessage` was refused may now take a message (EOM written, or the SINT,
    /// its page or SCONTROL became enabled): the VMBus server should post again.
    public var onEndOfMessage: ((_ sint: Int) -> Void)?

    /// HV_X64_MSR_SCONTROL.
    public internal(set) var scontrol: UInt64 = 0
    /// HV_X64_MSR_SIMP.
    public internal(set) var simp: UInt64 = 0
    /// HV_X64_MSR_SIEFP.
    public internal(set) var siefp: UInt64 = 0
    /// SINT0–15.
    public internal(set) var sints = [SyntheticInterruptSource](repeating: .powerOn, count: SynIC.sintCount)
    /// Bit n: a `postMessage` to SINT n was refused and the host wants to hear when to retry.
    public internal(set) var retryMask: UInt16 = 0

    public static let sintCount = 16
    /// Event flags per SINT (256 bytes × 8).
    public static let eventFlagsPerSINT = 2048
    /// HV_X64_MSR_SVERSION's value.
    public static let version: UInt64 = 1

    /// SCONTROL / SIMP / SIEFP bits.
    public enum Bits {
        public static let enable: UInt64 = 1 << 0
        /// SCONTROL bits 63:1 are reserved.
        public static let scontrolReserved: UInt64 = ~1
        public static let pageMask: UInt64 = ~0xFFF
        /// Flags byte of a message slot: bit 0 msg_pending.
        public static let messagePending: UInt8 = 1 << 0
    }

    public init(vpIndex: Int = 0, memory: PhysicalMemory, deliver: @escaping (_ vector: UInt8, _ autoEOI: Bool) -> Void) {
        self.vpIndex = vpIndex
        self.memory = memory
        self.deliver = deliver
    }

    /// Power-on values: disabled, pages disabled, every SINT masked, no retries owed.
    public func reset() {
        scontrol = 0
        simp = 0
        siefp = 0
        sints = [SyntheticInterruptSource](repeating: .powerOn, count: Self.sintCount)
        retryMask = 0
    }

    public var isEnabled: Bool { scontrol & Bits.enable != 0 }
    public var messagePageEnabled: Bool { simp & Bits.enable != 0 }
    public var eventPageEnabled: Bool { siefp & Bits.enable != 0 }

    // MARK: Host side

    /// Writes `message` into SINT `sint`'s slot of the message page and raises the SINT.
    ///
    /// Returns false — and remembers to call `onEndOfMessage(sint)` later — when the slot is
    /// occupied (its msg_pending flag is then set, so the guest writes EOM after emptying it),
    /// or when SCONTROL, SIMP or the SINT is disabled/masked, or the page is not guest RAM.
    @discardableResult
    public func postMessage(sint: Int, message: HyperVMessage) -> Bool {
        precondition((0..<Self.sintCount).contains(sint), "SINT \(sint) does not exist")
        guard isEnabled, messagePageEnabled, !sints[sint].isMasked,
              let slot = memory.guestRAM((simp & Bits.pageMask) + UInt64(sint * HyperVMessage.size),
                                         length: HyperVMessage.size) else {
            retryMask |= 1 << UInt16(sint)
            return false
        }
        if memory.guestDword(slot, 0) != HyperVMessage.MessageType.none {
            let flags = GuestPhysicalAddress(slot.value + 5)
            let old = memory.read(flags, width: .byte)
            memory.write(flags, width: .byte, value: old | UInt32(Bits.messagePending))
            retryMask |= 1 << UInt16(sint)
            return false
        }
        // Everything but the type first, the type last: a non-zero type is what tells the guest
        // the slot is full (§7.3).
        let image = message.encoded
        memory.writeGuestBytes(Array(image[4...]), at: GuestPhysicalAddress(slot.value + 4))
        memory.writeGuestBytes(Array(image[0..<4]), at: slot)
        raise(sint)
        return true
    }

    /// Sets event flag `flag` in SINT `sint`'s block of the event-flags page and raises the SINT
    /// if the flag was clear. Returns false when nothing could be signalled (SynIC, SIEFP or
    /// the SINT disabled/masked, or the page is not guest RAM).
    @discardableResult
    public func signalEvent(sint: Int, flag: Int) -> Bool {
        precondition((0..<Self.sintCount).contains(sint), "SINT \(sint) does not exist")
        precondition((0..<Self.eventFlagsPerSINT).contains(flag), "event flag \(flag) out of range")
        guard isEnabled, eventPageEnabled, !sints[sint].isMasked,
              let byte = memory.guestRAM((siefp & Bits.pageMask) + UInt64(sint * 256 + flag / 8), length: 1)
        else { return false }
        let bit = UInt32(1) << UInt32(flag % 8)
        let old = memory.read(byte, width: .byte)
        // One emulation thread: this read-modify-write is atomic with respect to guest code.
        guard old & bit == 0 else { return true }  // already set: its interrupt is on its way
        memory.write(byte, width: .byte, value: old | bit)
        raise(sint)
        return true
    }

    /// Raises the SINT's vector unless it is in polling mode.
    private func raise(_ sint: Int) {
        let source = sints[sint]
        guard !source.polling else { return }
        deliver(source.vector, source.autoEOI)
    }

    // MARK: Guest side (MSRs)

    /// The SynIC MSRs; nil for any other index.
    func readMSR(_ index: UInt32) -> UInt64? {
        switch index {
        case HyperVMSR.scontrol: return scontrol
        case HyperVMSR.sversion: return Self.version
        case HyperVMSR.siefp: return siefp
        case HyperVMSR.simp: return simp
        case HyperVMSR.eom: return 0  // write-only; reads as zero
        case HyperVMSR.sint0...HyperVMSR.sint15: return sints[Int(index - HyperVMSR.sint0)].rawValue
        default: return nil
        }
    }

    /// Writes a SynIC MSR; nil when `index` is not one, false for a write that #GPs.
    func writeMSR(_ index: UInt32, value: UInt64) -> Bool? {
        switch index {
        case HyperVMSR.scontrol:
            guard value & Bits.scontrolReserved == 0 else { return false }
            scontrol = value
            offerRetries()
        case HyperVMSR.sversion:
            return false
        case HyperVMSR.siefp:
            // Bits 11:1 are reserved-preserve: kept as written.
            siefp = value
        case HyperVMSR.simp:
            simp = value
            offerRetries()
        case HyperVMSR.eom:
            endOfMessage()
        case HyperVMSR.sint0...HyperVMSR.sint15:
            let source = SyntheticInterruptSource(rawValue: value)
            guard !source.hasReservedBits, !source.hasInvalidVector else { return false }
            sints[Int(index - HyperVMSR.sint0)] = source
            offerRetries()
        default:
            return nil
        }
        return true
    }

    /// WRMSR EOM: the guest emptied a slot whose msg_pending flag was set.
    public func endOfMessage() {
        offerRetries()
    }

    /// Tells the host to retry every refused SINT that can take a message now. The mask is
    /// cleared first, so a retry refused again re-arms it.
    private func offerRetries() {
        guard retryMask != 0, isEnabled, messagePageEnabled else { return }
        for sint in 0..<Self.sintCount where retryMask & (1 << UInt16(sint)) != 0 && !sints[sint].isMasked {
            retryMask &= ~(1 << UInt16(sint))
            onEndOfMessage?(sint)
        }
    }
}
