// The file header of a MOO container (`MOO ` chunk).

/// Format version, declared test count and the id of the CPU that produced the tests.
public struct MOOFileHeader: Equatable, Sendable {
    public var majorVersion: UInt8
    public var minorVersion: UInt8
    /// Number of tests the header declares (the parser does not require it to match).
    public var testCount: UInt32
    /// Four-character CPU id, trailing spaces removed: "8088", "8086", "V20", "V30", "186",
    /// "C286" (Harris 80C286), "386E" (Intel 386EX).
    public var cpuID: String

    public init(majorVersion: UInt8, minorVersion: UInt8, testCount: UInt32, cpuID: String) {
        self.majorVersion = majorVersion
        self.minorVersion = minorVersion
        self.testCount = testCount
        self.cpuID = cpuID
    }
}
