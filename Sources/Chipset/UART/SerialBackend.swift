// The host side of a serial port: where transmitted bytes go and received bytes come from.

/// What a UART hands its transmitted bytes to, and what feeds it received bytes.
///
/// All calls happen on the emulation thread. A backend that produces input (a terminal, a socket)
/// keeps the `SerialReceiver` it is attached to (weakly) and calls `receive(_:)` on the emulation
/// thread — a backend with a worker thread must hand its bytes over through the machine's queue,
/// never call the receiver from the worker.
public protocol SerialBackend: AnyObject {
    /// The UART shifted `byte` out of its transmitter (data bits beyond the word length are 0).
    func transmit(_ byte: UInt8)
    /// Called once by the UART this backend is connected to.
    func attach(_ receiver: SerialReceiver)
    /// Writes out buffered output (the machine calls it between CPU slices and at the end).
    func flush()
}

extension SerialBackend {
    /// Output-only backends ignore the receiver.
    public func attach(_ receiver: SerialReceiver) {}
    /// Unbuffered backends have nothing to write out.
    public func flush() {}
}

/// The receiving side of a UART as a backend sees it.
public protocol SerialReceiver: AnyObject {
    /// Queues bytes arriving on the serial input line. They reach the guest one character time
    /// apart at the programmed baud rate.
    func receive(_ bytes: [UInt8])
    /// Queues a break condition (input held spacing for longer than a character).
    func receiveBreak()
    /// Sets the modem status inputs (CTS, DSR, RI, DCD) driven by the other end.
    func setModemLines(_ lines: ModemLines)
}

/// The four modem status inputs of a serial port, as the remote end drives them.
public struct ModemLines: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0xF0 }
    /// Clear To Send.
    public static let clearToSend = ModemLines(rawValue: 0x10)
    /// Data Set Ready.
    public static let dataSetReady = ModemLines(rawValue: 0x20)
    /// Ring Indicator.
    public static let ringIndicator = ModemLines(rawValue: 0x40)
    /// Data Carrier Detect.
    public static let dataCarrierDetect = ModemLines(rawValue: 0x80)
    /// A connected, ready terminal or null-modem peer: CTS, DSR and DCD asserted.
    public static let connected: ModemLines = [.clearToSend, .dataSetReady, .dataCarrierDetect]
}
