// Guest-visible processor exceptions, thrown (typed) out of instruction handlers.

/// An exception the guest will see: a vector and, for the vectors that push one, an error code.
/// Thrown with typed throws from handlers and caught once in the run loop, which delivers it.
public struct CPUFault: Error, Equatable, Sendable {
    public var vector: UInt8
    public var errorCode: UInt32
    public var hasErrorCode: Bool

    public init(vector: UInt8, errorCode: UInt32? = nil) {
        self.vector = vector
        self.errorCode = errorCode ?? 0
        self.hasErrorCode = errorCode != nil
    }

    public enum Vector {
        public static let divideError: UInt8 = 0
        public static let debug: UInt8 = 1
        public static let nmi: UInt8 = 2
        public static let breakpoint: UInt8 = 3
        public static let overflow: UInt8 = 4
        public static let bound: UInt8 = 5
        public static let invalidOpcode: UInt8 = 6
        public static let deviceNotAvailable: UInt8 = 7
        public static let doubleFault: UInt8 = 8
        public static let invalidTSS: UInt8 = 10
        public static let segmentNotPresent: UInt8 = 11
        public static let stackFault: UInt8 = 12
        public static let generalProtection: UInt8 = 13
        public static let pageFault: UInt8 = 14
        public static let mathFault: UInt8 = 16
        public static let alignmentCheck: UInt8 = 17
    }

    public static var de: CPUFault { CPUFault(vector: 0) }
    public static var db: CPUFault { CPUFault(vector: 1) }
    public static var ud: CPUFault { CPUFault(vector: 6) }
    public static var nm: CPUFault { CPUFault(vector: 7) }
    public static var mf: CPUFault { CPUFault(vector: 16) }
    public static func gp(_ code: UInt32) -> CPUFault { CPUFault(vector: 13, errorCode: code) }
    public static func ss(_ code: UInt32) -> CPUFault { CPUFault(vector: 12, errorCode: code) }
    public static func np(_ code: UInt32) -> CPUFault { CPUFault(vector: 11, errorCode: code) }
    public static func ts(_ code: UInt32) -> CPUFault { CPUFault(vector: 10, errorCode: code) }
    public static func pf(_ code: UInt32) -> CPUFault { CPUFault(vector: 14, errorCode: code) }

    /// Contributory exceptions (SDM Vol. 3 Table 6-4), for double-fault detection.
    var isContributory: Bool { vector == 0 || (vector >= 10 && vector <= 13) }
}
