// Saved state of the PS/2 mouse (a part of the controller's "ps2" section).

import EmulatorCore

extension PS2Mouse {
    /// Version 1 layout (versioned with `PS2Controller.savedStateVersion`).
    public struct SavedState: Codable, Equatable, Sendable {
        /// 0, 3 or 4.
        public var deviceID: UInt8
        /// One of 10, 20, 40, 60, 80, 100, 200.
        public var sampleRate: UInt8
        /// 0–3.
        public var resolution: UInt8
        public var scaling2to1: Bool
        public var isRemoteMode: Bool
        public var isReportingEnabled: Bool
        public var isWrapMode: Bool
        /// 0xF3 or 0xE8 while its argument is awaited.
        public var pendingCommand: UInt8?
        /// The last (up to three) sample rates set.
        public var rateHistory: [UInt8]
        /// Buttons held by the host, and as last reported (`PS2MouseButtons` bits).
        public var buttons: UInt8
        public var reportedButtons: UInt8
        /// Movement counters in PS/2 convention (X right, Y up, Z towards the user).
        public var dx: Int
        public var dy: Int
        public var dz: Int
        /// Command replies not yet sent, the unsent rest of a packet, and the last transmission.
        public var responseQueue: [UInt8]
        public var packetQueue: [UInt8]
        public var lastTransmission: [UInt8]
        /// When the last stream packet was made (ns).
        public var lastSampleTime: UInt64?
    }

    func saveState() -> SavedState {
        SavedState(
            deviceID: deviceID, sampleRate: sampleRate, resolution: resolution, scaling2to1: scaling2to1,
            isRemoteMode: isRemoteMode, isReportingEnabled: isReportingEnabled, isWrapMode: isWrapMode,
            pendingCommand: pendingCommand, rateHistory: rateHistory,
            buttons: buttons.rawValue, reportedButtons: reportedButtons.rawValue,
            dx: dx, dy: dy, dz: dz,
            responseQueue: responseQueue, packetQueue: packetQueue, lastTransmission: lastTransmission,
            lastSampleTime: lastSampleTime?.nanoseconds)
    }

    /// Throws unless `s` is a state this mouse could be in.
    func check(_ s: SavedState, section: String) throws {
        func check(_ condition: Bool, _ reason: String) throws {
            if !condition { throw SnapshotStateError(section: section, reason: "mouse: " + reason) }
        }
        try check([DeviceID.standard, DeviceID.intelliMouse, DeviceID.explorer].contains(s.deviceID),
                  "device ID \(s.deviceID) does not exist")
        try check(Constants.validSampleRates.contains(s.sampleRate), "sample rate \(s.sampleRate) is not valid")
        try check(s.resolution <= 3, "resolution \(s.resolution) is not valid")
        try check(s.pendingCommand == nil || s.pendingCommand == Command.setSampleRate
                  || s.pendingCommand == Command.setResolution, "a pending command that takes no argument")
        try check(s.rateHistory.count <= 3 && s.rateHistory.allSatisfy(Constants.validSampleRates.contains),
                  "impossible sample rate history")
        let all = PS2MouseButtons.all.rawValue
        try check(s.buttons & ~all == 0 && s.reportedButtons & ~all == 0, "unknown button bits")
        let limit = Constants.counterLimit
        try check([s.dx, s.dy, s.dz].allSatisfy { abs($0) <= limit }, "movement counters out of range")
        try check(s.responseQueue.count <= Constants.maxResponseBytes, "too many queued replies")
        let packetSize = s.deviceID == DeviceID.standard ? 3 : 4
        try check(s.packetQueue.count <= packetSize, "more than one packet queued")
        try check(s.lastTransmission.count <= max(Constants.maxResponseBytes, packetSize + 1),
                  "last transmission too long")
    }

    /// Applies a state that `check` accepted.
    func apply(_ s: SavedState) {
        deviceID = s.deviceID
        sampleRate = s.sampleRate
        resolution = s.resolution
        scaling2to1 = s.scaling2to1
        isRemoteMode = s.isRemoteMode
        isReportingEnabled = s.isReportingEnabled
        isWrapMode = s.isWrapMode
        pendingCommand = s.pendingCommand
        rateHistory = s.rateHistory
        buttons = PS2MouseButtons(rawValue: s.buttons)
        reportedButtons = PS2MouseButtons(rawValue: s.reportedButtons)
        dx = s.dx
        dy = s.dy
        dz = s.dz
        responseQueue = s.responseQueue
        packetQueue = s.packetQueue
        lastTransmission = s.lastTransmission
        lastSampleTime = s.lastSampleTime.map { VirtualTime(nanoseconds: $0) }
        rearmSampleTimer()
    }
}
