// The I/O-port bus: dispatches IN/OUT to the device that claimed the port.

/// Routes port accesses to devices. Unclaimed reads float high (all ones) and unclaimed
/// writes are dropped; each unclaimed port is logged once through `log`.
public final class PortIOBus {
    /// Device index per port (0 = unclaimed).
    private var owner: [UInt16]
    private var devices: [PortIODevice] = []
    private var reported = Set<UInt16>()
    /// Receives one line per first access to an unclaimed port; nil keeps quiet.
    public var log: ((String) -> Void)?

    public init() {
        owner = [UInt16](repeating: 0, count: 65536)
    }

    /// Claims `ports` for `device`. A later claim replaces an earlier one for the overlap.
    public func register(_ device: PortIODevice, ports: ClosedRange<UInt16>) {
        let index: Int
        if let existing = devices.firstIndex(where: { $0 === device }) {
            index = existing
        } else {
            devices.append(device)
            index = devices.count - 1
        }
        for p in ports { owner[Int(p)] = UInt16(index + 1) }
    }

    /// Releases `ports` (hot-unplug).
    public func unregister(ports: ClosedRange<UInt16>) {
        for p in ports { owner[Int(p)] = 0 }
    }

    public func isClaimed(_ port: IOPort) -> Bool { owner[Int(port.value)] != 0 }

    public func read(_ port: IOPort, width: AccessWidth) -> UInt32 {
        let o = Int(owner[Int(port.value)])
        if o == 0 {
            noteUnclaimed(port, write: false)
            return width.mask
        }
        return devices[o - 1].ioRead(port: port, width: width) & width.mask
    }

    public func write(_ port: IOPort, width: AccessWidth, value: UInt32) {
        let o = Int(owner[Int(port.value)])
        if o == 0 {
            noteUnclaimed(port, write: true)
            return
        }
        devices[o - 1].ioWrite(port: port, width: width, value: value & width.mask)
    }

    private func noteUnclaimed(_ port: IOPort, write: Bool) {
        guard let log, !reported.contains(port.value) else { return }
        reported.insert(port.value)
        log("unclaimed I/O port \(port) (\(write ? "write" : "read")); further accesses not logged")
    }
}
