// Host-side choices a snapshot restore leaves to the restorer.

/// Where a restored machine's host-facing bytes go. The guest-visible machine comes from the
/// snapshot; these only connect it to this host, and may differ from the saving run's (a
/// snapshot taken with `--serial stdio` can be restored with `--serial file:log`, on another
/// day, in another directory). Sockets, terminals and files of the saving run are never
/// reopened implicitly: what is not given here is dropped (serial ports read as disconnected).
public struct SnapshotHostBackends: Sendable {
    /// COM1 first; ports not given are unconnected (`.null`).
    public var serial: [MachineConfiguration.SerialConfiguration] = []
    /// File for the debug console's bytes, if the snapshot has a debug console (nil: dropped).
    public var debugConsolePath: String?
    /// File for POST codes (nil: dropped).
    public var postCodesPath: String?
    /// How idle time passes after the restore (nil: as in the saving run). Host pacing only:
    /// guest state does not depend on it.
    public var clock: MachineConfiguration.ClockMode?
    /// Restore even onto disk images that changed since the snapshot was taken (path, size or
    /// modification stamp differ); each difference becomes a warning in
    /// `PCMachine.restoreWarnings` instead of an error. The guest's cached view of the disk may
    /// then disagree with its contents — the user's risk, as with QEMU's `-drive` overrides.
    public var acceptChangedDisks = false

    public init() {}
}
