// Whole-machine snapshots: save a paused PCMachine to a file, and build one back from a file.

import Chipset
import EmulatorCore
import Foundation
import Snapshot
import Storage
import X86

extension PCMachine {
    /// Recorded in every snapshot's manifest (information only; compatibility is decided by
    /// the format, configuration and per-section versions).
    public static let softwareVersion = "0.1.0-dev"

    /// Registry entries (`devices`) that have no snapshot section of their own, and why none is
    /// needed. A test fails for any other device that is not `Snapshottable`, so adding a device
    /// means either saving its state or arguing here that it has none.
    public static let devicesWithoutSection: [String: String] = [
        // Write-only: each byte goes straight to the host sink; nothing is kept between writes.
        "post": "write-only, keeps nothing",
        "debugcon": "write-only, keeps nothing",
        // A write ends the run; reads return a constant.
        "isa-debug-exit": "write-only, ends the run",
        // A view onto the PIIX4 function's APMC/APMS registers, which its own section saves.
        "apm": "state saved in the piix4-pm section",
    ]

    /// Name of the section holding the firmware image (not device state: ROM is not in RAM).
    static let romSection = "rom"
    /// Sections "overlay.<disk>.<n>" hold a copy-on-write overlay's sectors (`snapshotDisks`),
    /// in records of at most `overlayRecordBytes`.
    static let overlaySectionPrefix = "overlay."
    static let overlayRecordBytes = 32 << 20

    /// The disks' copy-on-write overlays by snapshot name (empty without `snapshotDisks`).
    public var diskOverlays: [(name: String, overlay: CopyOnWriteOverlay)] {
        legacyOverlays + (hyperV?.overlays ?? [])
    }

    /// Disk differences a forced restore accepted (`SnapshotHostBackends.acceptChangedDisks`),
    /// one line each; empty after a normal restore.
    public var restoreWarnings: [String] {
        (biosServices?.restoreWarnings ?? []) + ataDisks.enumerated().flatMap { i, d in d.restoreWarnings.map { "IDE disk \(i): " + $0 } }
            + (hyperV?.storageControllers ?? []).flatMap(\.restoreWarnings)
    }
    /// Name of the section holding the video BIOS mapped at 0xC0000.
    static let videoROMSection = "vgarom"

    /// Devices with a section, other than the CPU and the A20 gate, in restore order:
    /// everything that drives interrupt lines first, then the interrupt controllers (8259A,
    /// I/O APIC, local APIC last), so the controllers' saved pin levels and request registers
    /// are what remains, whatever edges the earlier restores drove into them.
    var snapshotDevices: [any Snapshottable] {
        let special: Set<String> = ["cpu", "a20"]
        let late = ["pic", "ioapic", "lapic"]
        let early = devices.filter { !special.contains($0.name) && !late.contains($0.name) }
        let ordered = early + late.compactMap { name in devices.first { $0.name == name } }
        return ordered.compactMap { $0.object as? any Snapshottable }
    }

    /// Saves the whole machine to `path` (atomically: the file appears complete or not at all).
    ///
    /// Call it between `run` calls or from `betweenSlices` — at an instruction boundary with
    /// time settled. Saved: the CPU, virtual time, the A20 gate, every device (`devices`),
    /// RAM, and the firmware image. Host-side things (backends, pending terminal input) are not.
    public func saveSnapshot(to path: String, options: SnapshotWriteOptions = SnapshotWriteOptions())
        throws(MachineSnapshotError)
    {
        guard !inSlice else { throw .notAtSliceBoundary }
        // A guest-requested reset due at this boundary happens before the save, as the run
        // loop would do it next; otherwise the restored machine would never reset.
        if resetRequested {
            resetRequested = false
            reset()
        }
        var sections: [SnapshotSection] = []
        do throws(SnapshotStateError) {
            sections.append(try SnapshotSection(saving: cpu))
            sections.append(try Self.clockSection(now))
            sections.append(try SnapshotSection(saving: a20))
            for device in snapshotDevices { sections.append(try SnapshotSection(saving: device)) }
        } catch {
            throw .state(error)
        }
        if let rom = firmwareImage { sections.append(SnapshotSection(name: Self.romSection, version: 1, payload: rom)) }
        for (name, overlay) in diskOverlays {
            let records: [[UInt8]]
            do { records = try overlay.exportRecords(maxRecordBytes: Self.overlayRecordBytes) } catch {
                throw .state(SnapshotStateError(section: Self.overlaySectionPrefix + name, reason: "\(error)"))
            }
            for (k, record) in records.enumerated() {
                sections.append(SnapshotSection(name: Self.overlaySectionPrefix + "\(name).\(k)", version: 1, payload: record))
            }
        }
        if let rom = videoBIOSImage { sections.append(SnapshotSection(name: Self.videoROMSection, version: 1, payload: rom)) }
        let configurationJSON: JSONValue
        do { configurationJSON = try JSONValue(encoding: snapshotDescription) } catch {
            throw .badConfiguration("cannot encode: \(error)")
        }
        do {
            try SnapshotFile.write(
                to: path, configuration: configurationJSON, partitaVersion: Self.softwareVersion, sections: sections,
                ram: UnsafeRawBufferPointer(start: memory.ram, count: Int(memory.ramSize)), options: options)
        } catch {
            throw .file(error)
        }
    }

    /// Builds a machine from the snapshot at `path`: the configuration from its manifest (host
    /// backends from `host`), no boot loader, then RAM, the firmware image, the CPU, virtual
    /// time, the A20 gate and the devices in `snapshotDevices` order. A device without a section
    /// keeps its power-on state; a section no device claims is an error, as is one for a device
    /// the snapshot's configuration leaves out.
    public static func restore(from path: String, host: SnapshotHostBackends = SnapshotHostBackends())
        throws(MachineSnapshotError) -> PCMachine
    {
        let reader: SnapshotReader
        do { reader = try SnapshotReader(path: path) } catch { throw .file(error) }
        let description: MachineSnapshotDescription
        do { description = try reader.manifest.configuration.decode(MachineSnapshotDescription.self) } catch {
            throw .badConfiguration(String("\(error)".prefix { $0 != "\n" }.prefix(200)))
        }
        let config = try description.configuration(host: host)
        guard UInt64(description.ramSize) == reader.manifest.ramSize else {
            throw .badConfiguration("the configuration has \(description.ramSize) bytes of RAM, the file \(reader.manifest.ramSize)")
        }
        let machine: PCMachine
        do { machine = try PCMachine(config) } catch { throw .machine("\(error)") }
        machine.snapshotDescription = description
        for controller in machine.hyperV?.storageControllers ?? [] { controller.acceptChangedDisks = host.acceptChangedDisks }
        for disk in machine.ataDisks { disk.acceptChangedImage = host.acceptChangedDisks }
        machine.biosServices?.acceptChangedDisks = host.acceptChangedDisks

        // Every section must have a home before anything is read.
        let devices = machine.snapshotDevices
        var known = Set(devices.map(\.snapshotSection))
        known.formUnion([machine.cpu.snapshotSection, VirtualClockSavedState.section, machine.a20.snapshotSection])
        if description.firmware != nil { known.insert(romSection) }
        let overlays = Dictionary(uniqueKeysWithValues: machine.diskOverlays.map { ($0.name, $0.overlay) })
        known.insert(videoROMSection)
        for entry in reader.manifest.sections where !known.contains(entry.name) {
            if let disk = overlayDisk(entry.name) {
                guard overlays[disk] != nil else {
                    throw .absentDevice(section: entry.name, reason: "the machine has no disk overlay \"\(disk)\"")
                }
                continue
            }
            switch entry.name {
            case "fw_cfg": throw .absentDevice(section: entry.name, reason: "fw_cfg is off")
            case romSection: throw .absentDevice(section: entry.name, reason: "no firmware image")
            default: throw .unknownSection(entry.name)
            }
        }

        let sections: [SnapshotSection]
        do {
            // The machine was just built without a boot loader: its RAM is still all zeros.
            sections = try reader.read(
                ramInto: UnsafeMutableRawBufferPointer(start: machine.memory.ram, count: Int(machine.memory.ramSize)),
                ramIsZeroed: true)
        } catch {
            throw .file(error)
        }
        var byName: [String: SnapshotSection] = [:]
        for s in sections { byName[s.name] = s }

        for s in sections {
            guard let disk = overlayDisk(s.name), let overlay = overlays[disk] else { continue }
            guard s.version == 1 else {
                throw .state(SnapshotStateError(section: s.name, reason: "saved-state version \(s.version) is not supported (1)"))
            }
            do { try overlay.importRecord(s.payload) } catch {
                throw .state(SnapshotStateError(section: s.name, reason: "\(error)"))
            }
        }
        if description.firmware != nil {
            guard let rom = byName[romSection] else {
                throw .badConfiguration("the configuration has firmware but the file has no \"rom\" section")
            }
            do { try mapFirmware(rom.payload, into: machine.memory) } catch { throw .badConfiguration("\(error)") }
            machine.firmwareImage = rom.payload
        }
        if let rom = byName[videoROMSection] {
            do { try mapVideoBIOS(rom.payload, into: machine.memory) } catch { throw .badConfiguration("\(error)") }
            machine.videoBIOSImage = rom.payload
        }
        do throws(SnapshotStateError) {
            // The CPU first: its retired-instruction count is what the scheduler's clock follows,
            // so the clock is set after it; devices then re-arm against the restored `now`.
            if let s = byName[machine.cpu.snapshotSection] { try s.restore(into: machine.cpu) }
            if let s = byName[VirtualClockSavedState.section] {
                machine.scheduler.restore(now: VirtualTime(nanoseconds: try clockState(s).nanoseconds))
            }
            if let s = byName[machine.a20.snapshotSection] { try s.restore(into: machine.a20) }
            for device in devices {
                if let s = byName[device.snapshotSection] { try s.restore(into: device) }
            }
        } catch {
            throw .state(error)
        }
        // The host bridge's PAM registers route 0xC0000–0xFFFFF between RAM and ROM; apply what
        // was restored whether or not the bridge reported the change.
        machine.applyShadowRegisters()
        return machine
    }

    /// The disk name of an overlay section ("overlay.vmbus0.3" → "vmbus0"), nil for others.
    static func overlayDisk(_ section: String) -> String? {
        guard section.hasPrefix(overlaySectionPrefix) else { return nil }
        let rest = section.dropFirst(overlaySectionPrefix.count)
        guard let dot = rest.lastIndex(of: "."), rest[rest.index(after: dot)...].allSatisfy(\.isNumber),
              dot != rest.startIndex, rest.index(after: dot) != rest.endIndex else { return nil }
        return String(rest[..<dot])
    }

    static func clockSection(_ now: VirtualTime) throws(SnapshotStateError) -> SnapshotSection {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        do {
            let payload = try e.encode(VirtualClockSavedState(nanoseconds: now.nanoseconds))
            return SnapshotSection(name: VirtualClockSavedState.section, version: VirtualClockSavedState.version,
                                   payload: Array(payload))
        } catch {
            throw SnapshotStateError(section: VirtualClockSavedState.section, reason: "cannot encode: \(error)")
        }
    }

    static func clockState(_ s: SnapshotSection) throws(SnapshotStateError) -> VirtualClockSavedState {
        guard s.version <= VirtualClockSavedState.version else {
            throw SnapshotStateError(section: s.name, reason: "saved-state version \(s.version) is newer than this Partita supports (\(VirtualClockSavedState.version))")
        }
        do { return try JSONDecoder().decode(VirtualClockSavedState.self, from: Data(s.payload)) } catch {
            throw SnapshotStateError(section: s.name, reason: "cannot decode: \(error)")
        }
    }
}
