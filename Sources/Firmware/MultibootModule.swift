// A boot module handed to a multiboot kernel (an initrd, a driver, a test program).

/// A file the loader places in memory for the kernel, with the string the kernel sees as its
/// command line (by convention its name followed by arguments).
public struct MultibootModule: Equatable, Sendable {
    public var data: [UInt8]
    public var commandLine: String

    public init(data: [UInt8], commandLine: String) {
        self.data = data
        self.commandLine = commandLine
    }
}
