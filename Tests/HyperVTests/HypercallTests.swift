// Hypercalls through the hypercall page, and HvPostMessage / HvSignalEvent validation.

import EmulatorCore
import HyperV
import Testing
import X86

@Suite("Hypercalls")
struct HypercallTests {
    @Test("a guest calls through the hypercall page: HvPostMessage reaches the delegate, status in EDX:EAX",
          arguments: [true, false])
    func postMessageFromGuest(decodedBlocks: Bool) throws {
        let rig = HyperVRig()
        let guest = HyperVGuest(rig: rig, decodedBlocks: decodedBlocks)
        rig.writePostMessageInput(at: 0x9000, connectionID: 4, payload: [0x0E, 0, 0, 0, 0xAA, 0xBB])
        try guest.load("""
                ; hyperv_init: VP index, VP assist page, guest OS ID, hypercall page at 0x5000
                mov ecx, 0x40000002
                rdmsr
                mov [RESULTS+16], eax
                mov ecx, 0x40000073
                mov eax, 0x6001
                xor edx, edx
                wrmsr
                mov ecx, 0x40000000
                mov eax, 0x01AA0000
                mov edx, 0x81000006
                wrmsr
                mov ecx, 0x40000001
                rdmsr
                or eax, 0x5001
                wrmsr
                ; hv_post_message: control 0x5C in EDX:EAX, input GPA in EBX:ECX, output 0 in EDI:ESI
                mov eax, 0x5C
                xor edx, edx
                xor ebx, ebx
                mov ecx, 0x9000
                xor edi, edi
                xor esi, esi
                mov ebp, 0x12345678
                call [hcpage]
                mov [RESULTS], eax
                mov [RESULTS+4], edx
                mov [RESULTS+20], ebp
                ; vmbus_set_event: fast HvSignalEvent, EBX:ECX = 0:connection 0x20001
                mov eax, 0x1005D
                xor edx, edx
                xor ebx, ebx
                mov ecx, 0x20001
                call [hcpage]
                mov [RESULTS+8], eax
                mov [RESULTS+12], edx
                ; an unknown call code
                mov eax, 0x46
                xor edx, edx
                call [hcpage]
                mov [RESULTS+24], eax
                hlt
            hcpage: dd 0x5000
            """)
        #expect(guest.run() == .halted, "EIP \(String(guest.cpu.eip, radix: 16))")
        #expect(guest.result(0) == 0 && guest.result(1) == 0)
        #expect(rig.delegate.posted == [PostedMessage(connectionID: 4, messageType: 1, payload: [0x0E, 0, 0, 0, 0xAA, 0xBB])])
        #expect(guest.result(2) == 0 && guest.result(3) == 0)
        #expect(rig.delegate.signalled.count == 1)
        #expect(rig.delegate.signalled.first?.connectionID == 0x2_0001 && rig.delegate.signalled.first?.flag == 0)
        #expect(guest.result(4) == 0)  // VP index
        #expect(guest.result(5) == 0x1234_5678)  // other registers preserved
        #expect(guest.result(6) == UInt32(HypercallStatus.invalidHypercallCode.rawValue))
    }

    @Test("VMCALL is #UD until the hypercall page is enabled")
    func undefinedWhenDisabled() {
        let rig = HyperVRig()
        let cpu = CPU(memory: rig.memory, ports: rig.ports)
        #expect(!rig.hypercalls.hypercall(cpu: cpu))
        rig.linuxHypervInit()
        cpu[.eax] = 0x46
        #expect(rig.hypercalls.hypercall(cpu: cpu))
        #expect(cpu[.eax] == 2 && cpu[.edx] == 0)
    }

    private func status(_ rig: HyperVRig, control: UInt64, input: UInt64, output: UInt64 = 0) -> HypercallStatus {
        let result = rig.hypercalls.call(control: HypercallControl(rawValue: control), input: input, output: output)
        #expect(result >> 16 == 0, "reps completed / high bits must be zero")
        return HypercallStatus(rawValue: UInt16(truncatingIfNeeded: result))
    }

    @Test("HvPostMessage: misaligned or page-crossing input is INVALID_ALIGNMENT")
    func postMessageAlignment() {
        let rig = HyperVRig()
        rig.writePostMessageInput(at: 0x9000, connectionID: 4, payload: [1])
        #expect(status(rig, control: 0x5C, input: 0x9004) == .invalidAlignment)
        #expect(status(rig, control: 0x5C, input: 0x9F08) == .invalidAlignment)
        #expect(status(rig, control: 0x5C, input: 0x9F00) != .invalidAlignment)
        #expect(rig.delegate.posted.isEmpty)
    }

    @Test("HvPostMessage: bad size or type is INVALID_PARAMETER, memory outside RAM too")
    func postMessageParameters() {
        let rig = HyperVRig()
        rig.writePostMessageInput(at: 0x9000, connectionID: 4, payload: [])
        rig.write32(0x900C, 241)
        #expect(status(rig, control: 0x5C, input: 0x9000) == .invalidParameter)
        rig.write32(0x900C, 0xFFFF_FFFF)
        #expect(status(rig, control: 0x5C, input: 0x9000) == .invalidParameter)
        rig.write32(0x900C, 240)
        #expect(status(rig, control: 0x5C, input: 0x9000) == .success)
        #expect(rig.delegate.posted.last?.payload.count == 240)
        rig.write32(0x9008, 0)
        #expect(status(rig, control: 0x5C, input: 0x9000) == .invalidParameter)
        rig.write32(0x9008, 0x8000_0010)
        #expect(status(rig, control: 0x5C, input: 0x9000) == .invalidParameter)
        #expect(status(rig, control: 0x5C, input: 0x1_0000_9000) == .invalidParameter)
        #expect(status(rig, control: 0x5C, input: 0xFEE0_0000) == .invalidParameter)
        #expect(status(rig, control: 0x5C, input: UInt64(rig.memory.ramSize)) == .invalidParameter)
        #expect(rig.delegate.posted.count == 1)
    }

    @Test("HvPostMessage: unknown connection is INVALID_CONNECTION_ID; the delegate's busy status passes through")
    func postMessageConnection() {
        let rig = HyperVRig()
        rig.writePostMessageInput(at: 0x9000, connectionID: 5, payload: [1, 2])
        #expect(status(rig, control: 0x5C, input: 0x9000) == .invalidConnectionID)
        // Bits 31:24 are not part of the connection ID.
        rig.write32(0x9000, 0xAB00_0004)
        #expect(status(rig, control: 0x5C, input: 0x9000) == .success)
        #expect(rig.delegate.posted.last?.connectionID == 4)
        rig.delegate.postStatus = .insufficientBuffers
        #expect(status(rig, control: 0x5C, input: 0x9000) == .insufficientBuffers)
        rig.hypercalls.delegate = nil
        #expect(status(rig, control: 0x5C, input: 0x9000) == .invalidConnectionID)
    }

    @Test("control word: fast PostMessage, rep counts, variable headers and reserved bits are INVALID_HYPERCALL_INPUT")
    func controlWord() {
        let rig = HyperVRig()
        rig.writePostMessageInput(at: 0x9000, connectionID: 4, payload: [1])
        for control: UInt64 in [0x1_005C, 0x1_0000_005C, 0x1_0000_0000_005C, 0x2_005C, 0x0800_005C,
                                0x1000_0000_0000_005C, 0x1000_0000_005C, 0x1_0001_005D] {
            #expect(status(rig, control: control, input: 0x9000) == .invalidHypercallInput,
                    "control 0x\(String(control, radix: 16))")
        }
        #expect(status(rig, control: 0x0002, input: 0) == .invalidHypercallCode)
        #expect(status(rig, control: 0x0001_0000_0003, input: 0) == .invalidHypercallCode)
        #expect(status(rig, control: 0x8001, input: 0) == .invalidHypercallCode)
        #expect(rig.delegate.posted.isEmpty)
    }

    @Test("HvSignalEvent: fast and memory forms; flag number and reserved bits are checked")
    func signalEvent() {
        let rig = HyperVRig()
        #expect(status(rig, control: 0x1_005D, input: 0x0000_0007_0000_0004) == .success)
        #expect(rig.delegate.signalled.last?.flag == 7)
        #expect(status(rig, control: 0x1_005D, input: 0x0000_0800_0000_0004) == .invalidParameter)
        #expect(status(rig, control: 0x1_005D, input: 0x0001_0000_0000_0004) == .invalidParameter)
        #expect(status(rig, control: 0x1_005D, input: 9) == .invalidConnectionID)
        rig.write32(0x9100, 0x2_0001)
        rig.write32(0x9104, 3)
        #expect(status(rig, control: 0x5D, input: 0x9100) == .success)
        #expect(rig.delegate.signalled.last?.connectionID == 0x2_0001 && rig.delegate.signalled.last?.flag == 3)
        #expect(status(rig, control: 0x5D, input: 0x9104) == .invalidAlignment)
        #expect(rig.delegate.signalled.count == 2)
    }
}
