// The hypercall dispatcher behind the hypercall page's VMCALL.

import EmulatorCore
import X86

/// Decodes and runs hypercalls (TLFS "Hypercall Interface"; vmbus-facts.md §6).
///
/// 32-bit convention: control in EDX:EAX, input GPA (or fast input 1) in EBX:ECX, output GPA
/// (or fast input 2) in EDI:ESI; the result goes back in EDX:EAX — status in bits 15:0, reps
/// completed in bits 43:32. Every other register is preserved.
///
/// Implemented: HvPostMessage (0x005C, memory input) and HvSignalEvent (0x005D, fast or memory
/// input), handed to `delegate`. Everything else answers HV_STATUS_INVALID_HYPERCALL_CODE.
/// Neither implemented call is a rep call or takes a variable header, so a rep count, rep start
/// index, variable header size or reserved control bit gives HV_STATUS_INVALID_HYPERCALL_INPUT.
///
/// VMCALL raises #UD while the hypercall page is disabled, and from CPL > 0 or virtual-8086
/// mode (the TLFS allows hypercalls only from the most privileged mode).
public final class Hypercalls: HypercallHandler {
    let partition: HyperVPartition
    var memory: PhysicalMemory { partition.memory }
    /// The VMBus server (weak: it owns the machine's Hyper-V objects, not the other way round).
    public weak var delegate: (any HypercallDelegate)?

    /// Call codes (TLFS appendix "Hypercall Code Reference").
    public enum Code {
        public static let postMessage: UInt16 = 0x005C
        public static let signalEvent: UInt16 = 0x005D
    }

    /// Layout of `struct hv_input_post_message` (256 bytes).
    enum PostMessageInput {
        static let size = 256
        static let connectionID: UInt32 = 0
        static let messageType: UInt32 = 8
        static let payloadSize: UInt32 = 12
        static let payload: UInt32 = 16
    }

    /// Bits 23:0 of a connection ID field.
    static let connectionIDMask: UInt32 = 0x00FF_FFFF

    public init(partition: HyperVPartition, delegate: (any HypercallDelegate)? = nil) {
        self.partition = partition
        self.delegate = delegate
    }

    // MARK: HypercallHandler

    public func hypercall(cpu: CPU) -> Bool {
        guard partition.hypercallsEnabled, cpu.cpl == 0, !cpu.v86Mode else { return false }
        let control = UInt64(cpu[.edx]) << 32 | UInt64(cpu[.eax])
        let input = UInt64(cpu[.ebx]) << 32 | UInt64(cpu[.ecx])
        let output = UInt64(cpu[.edi]) << 32 | UInt64(cpu[.esi])
        let result = call(control: HypercallControl(rawValue: control), input: input, output: output)
        cpu[.eax] = UInt32(truncatingIfNeeded: result)
        cpu[.edx] = UInt32(truncatingIfNeeded: result >> 32)
        return true
    }

    /// Runs one hypercall; `input`/`output` are GPAs, or register values for a fast call.
    /// Returns the 64-bit result value (status, reps completed).
    public func call(control: HypercallControl, input: UInt64, output: UInt64) -> UInt64 {
        let status: HypercallStatus
        switch control.code {
        case Code.postMessage:
            status = simpleCallInputError(control, fastAllowed: false) ?? postMessage(inputGPA: input)
        case Code.signalEvent:
            status = simpleCallInputError(control, fastAllowed: true)
                ?? signalEvent(control.isFast ? .register(input) : .memory(input))
        default:
            status = .invalidHypercallCode
        }
        // No implemented call is a rep call: reps completed is always 0.
        return UInt64(status.rawValue)
    }

    /// The control-word check of a simple (non-rep, no variable header) call.
    private func simpleCallInputError(_ control: HypercallControl, fastAllowed: Bool) -> HypercallStatus? {
        if control.hasReservedBits || control.repCount != 0 || control.repStartIndex != 0
            || control.variableHeaderSize != 0 || (control.isFast && !fastAllowed) {
            return .invalidHypercallInput
        }
        return nil
    }

    // MARK: HvPostMessage

    private func postMessage(inputGPA: UInt64) -> HypercallStatus {
        // 8-byte aligned and not crossing a page (TLFS: input structures never span pages).
        guard inputGPA & 7 == 0, Int(inputGPA & 0xFFF) + PostMessageInput.size <= Int(PhysicalMemory.pageSize) else {
            return .invalidAlignment
        }
        guard let page = memory.guestRAM(inputGPA, length: PostMessageInput.size) else { return .invalidParameter }
        let connectionID = memory.guestDword(page, PostMessageInput.connectionID) & Self.connectionIDMask
        let messageType = memory.guestDword(page, PostMessageInput.messageType)
        let payloadSize = memory.guestDword(page, PostMessageInput.payloadSize)
        // Type 0 is "no message" and types with bit 31 set belong to the hypervisor.
        guard messageType != HyperVMessage.MessageType.none, messageType & 0x8000_0000 == 0,
              payloadSize <= UInt32(HyperVMessage.maximumPayloadSize) else { return .invalidParameter }
        guard let delegate else { return .invalidConnectionID }
        let payload = memory.guestBytes(GuestPhysicalAddress(page.value + PostMessageInput.payload),
                                        count: Int(payloadSize))
        return delegate.postMessage(PostedMessage(connectionID: connectionID, messageType: messageType,
                                                  payload: payload))
    }

    // MARK: HvSignalEvent

    private enum SignalEventInput {
        case register(UInt64)
        case memory(UInt64)
    }

    /// Input `struct hv_input_signal_event`: u32 connection_id, u16 flag_number, u16 reserved.
    private func signalEvent(_ input: SignalEventInput) -> HypercallStatus {
        let value: UInt64
        switch input {
        case .register(let v):
            value = v
        case .memory(let gpa):
            guard gpa & 7 == 0 else { return .invalidAlignment }
            guard let page = memory.guestRAM(gpa, length: 8) else { return .invalidParameter }
            value = UInt64(memory.guestDword(page, 4)) << 32 | UInt64(memory.guestDword(page, 0))
        }
        let connectionID = UInt32(truncatingIfNeeded: value) & Self.connectionIDMask
        let flagNumber = UInt16(truncatingIfNeeded: value >> 32)
        let reserved = UInt16(truncatingIfNeeded: value >> 48)
        guard reserved == 0, Int(flagNumber) < SynIC.eventFlagsPerSINT else { return .invalidParameter }
        guard let delegate else { return .invalidConnectionID }
        return delegate.signalEvent(connectionID: connectionID, flagNumber: flagNumber)
    }
}
