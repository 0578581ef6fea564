// The device end of a PS/2 port, as the 8042 sees it.

/// A PS/2 device (keyboard or mouse) behind one of the 8042's two ports.
///
/// The device keeps the bytes it wants to send; the controller clocks the next one in whenever its
/// output buffer is free and the port's clock is not inhibited, so a device never loses data to a
/// busy controller (on the wire the 8042 holds the clock low and the device waits, retransmitting
/// an interrupted byte).
protocol PS2PortDevice: AnyObject {
    /// The byte the device would clock out next, if it has one.
    var nextOutputByte: UInt8? { get }
    /// The controller has taken `nextOutputByte`.
    func outputByteSent()
    /// A byte the host sent to the device through the controller.
    func receive(_ byte: UInt8)
    /// Set by the controller: called whenever the device gets something new to send.
    var outputReady: () -> Void { get set }
}

/// The two ports of the 8042.
enum PS2Port: Int, Codable, Sendable {
    case keyboard = 0
    case aux = 1
}

/// Common replies of PS/2 devices.
enum PS2Reply {
    /// Acknowledge.
    static let ack: UInt8 = 0xFA
    /// Resend (the byte received was not understood).
    static let resend: UInt8 = 0xFE
    /// Basic Assurance Test passed.
    static let selfTestPassed: UInt8 = 0xAA
}
