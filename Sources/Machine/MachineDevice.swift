// One entry in a machine's device registry: what it is called, the object, what it claims.

/// A device object a `PCMachine` created and wired, with the I/O ports it claimed at
/// construction. The registry exists so that snapshots provably cover the whole machine: a
/// test walks it and fails for any device that neither saves its state (`Snapshottable`) nor
/// is listed in `PCMachine.devicesWithoutSection` with the reason it needs none.
public struct MachineDevice {
    /// A short name for messages and the stateless list ("pic", "com1", "debugcon").
    public let name: String
    public let object: AnyObject
    /// Ports claimed on the machine's `PortIOBus` at construction (BARs mapped later by the
    /// guest are not listed).
    public let ports: [ClosedRange<UInt16>]

    init(_ name: String, _ object: AnyObject, ports: [ClosedRange<UInt16>] = []) {
        self.name = name
        self.object = object
        self.ports = ports
    }
}
