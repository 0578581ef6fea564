// Hypercall status codes (TLFS "Hypercall Status Codes"; include/asm-generic/hyperv-tlfs.h).

/// The 16-bit status a hypercall returns in bits 15:0 of EDX:EAX.
public struct HypercallStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// HV_STATUS_SUCCESS.
    public static let success = HypercallStatus(rawValue: 0)
    /// HV_STATUS_INVALID_HYPERCALL_CODE: the call code is not implemented.
    public static let invalidHypercallCode = HypercallStatus(rawValue: 2)
    /// HV_STATUS_INVALID_HYPERCALL_INPUT: reserved control bits, or rep/fast/variable-header
    /// fields a call does not take.
    public static let invalidHypercallInput = HypercallStatus(rawValue: 3)
    /// HV_STATUS_INVALID_ALIGNMENT: an input or output GPA is misaligned or its structure
    /// crosses a page.
    public static let invalidAlignment = HypercallStatus(rawValue: 4)
    /// HV_STATUS_INVALID_PARAMETER.
    public static let invalidParameter = HypercallStatus(rawValue: 5)
    /// HV_STATUS_ACCESS_DENIED.
    public static let accessDenied = HypercallStatus(rawValue: 6)
    /// HV_STATUS_OPERATION_DENIED.
    public static let operationDenied = HypercallStatus(rawValue: 8)
    /// HV_STATUS_INSUFFICIENT_MEMORY (Linux retries with back-off).
    public static let insufficientMemory = HypercallStatus(rawValue: 0x0B)
    /// HV_STATUS_INVALID_PORT_ID.
    public static let invalidPortID = HypercallStatus(rawValue: 0x11)
    /// HV_STATUS_INVALID_CONNECTION_ID (Linux: INITIATE_CONTACT fails at once, others retry).
    public static let invalidConnectionID = HypercallStatus(rawValue: 0x12)
    /// HV_STATUS_INSUFFICIENT_BUFFERS (Linux retries with back-off).
    public static let insufficientBuffers = HypercallStatus(rawValue: 0x13)

    public var description: String { "HV_STATUS 0x" + String(rawValue, radix: 16) }
}
