// What a fw_cfg device serves: machine facts, direct-boot blobs, and named files.

/// The items a `FwCfg` device serves, as the machine describes them. A value: the device turns
/// it into its item table once, at construction, and the guest can never change it.
///
/// Numeric items are little-endian as QEMU stores them; the file directory is big-endian
/// (QEMU docs/specs/fw_cfg.rst, "File Directory").
public struct FwCfgConfiguration: Sendable, Equatable {
    /// A blob the guest's firmware copies to `address` (kernel, initrd, setup sectors): served
    /// as an address item, a size item and a data item.
    public struct Blob: Sendable, Equatable {
        public var address: UInt32
        public var data: [UInt8]
        public init(address: UInt32, data: [UInt8]) {
            self.address = address
            self.data = data
        }
    }

    /// A named item listed in the file directory (e.g. "etc/e820", "bootorder").
    public struct File: Sendable, Equatable {
        public var name: String
        public var contents: [UInt8]
    }

    /// Names live in a NUL-terminated 56-byte field.
    public static let maxFileNameLength = 55
    /// Files take selectors from 0x0020 up to 0x3FFF (bit 14 is the write channel).
    public static let maxFileCount = Int(0x4000 - FwCfgKey.firstFile)

    /// Guest RAM in bytes (FW_CFG_RAM_SIZE).
    public var ramSize: UInt64
    /// CPUs present (FW_CFG_NB_CPUS).
    public var cpuCount: UInt16
    /// CPUs the machine could have (FW_CFG_MAX_CPUS); nil means `cpuCount`.
    public var maxCPUs: UInt16?
    /// The kernel for direct boot (FW_CFG_KERNEL_ADDR/SIZE/DATA).
    public var kernel: Blob?
    /// Where the kernel is entered (FW_CFG_KERNEL_ENTRY), for loaders that need it.
    public var kernelEntry: UInt32?
    /// FW_CFG_INITRD_ADDR/SIZE/DATA.
    public var initrd: Blob?
    /// The real-mode setup part of a bzImage (FW_CFG_SETUP_ADDR/SIZE/DATA).
    public var setup: Blob?
    /// The kernel command line (FW_CFG_CMDLINE_SIZE/DATA, NUL-terminated).
    public var commandLine: String?
    /// Where the firmware should put the command line (FW_CFG_CMDLINE_ADDR).
    public var commandLineAddress: UInt32?
    /// Named files, kept sorted by name: the directory lists them in this order and their
    /// selectors follow it, as QEMU does.
    public private(set) var files: [File] = []

    public init(ramSize: UInt64, cpuCount: UInt16 = 1) {
        self.ramSize = ramSize
        self.cpuCount = cpuCount
    }

    /// Adds a named file, e.g. `addFile("etc/e820", contents: e820.encoded())`.
    public mutating func addFile(_ name: String, contents: [UInt8]) throws(FwCfgError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxFileNameLength,
              bytes.allSatisfy({ $0 != 0 && $0 < 0x80 }) else { throw .badFileName(name) }
        guard !files.contains(where: { $0.name == name }) else { throw .duplicateFileName(name) }
        guard files.count < Self.maxFileCount else { throw .tooManyFiles(files.count + 1) }
        guard UInt64(contents.count) <= UInt64(UInt32.max) else {
            throw .itemTooLarge(name: name, size: contents.count)
        }
        files.append(File(name: name, contents: contents))
        // Byte order, like QEMU's strcmp; ASCII names make this total.
        files.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// The selector a named file is served under, if it exists.
    public func selector(ofFile name: String) -> UInt16? {
        files.firstIndex { $0.name == name }.map { FwCfgKey.firstFile + UInt16($0) }
    }

    /// Every item by selector (bit 14 clear), including the file directory.
    func items() throws(FwCfgError) -> [UInt16: [UInt8]] {
        var items: [UInt16: [UInt8]] = [
            FwCfgKey.signature: Array("QEMU".utf8),
            FwCfgKey.id: Self.le32(FwCfg.Feature.traditional | FwCfg.Feature.dma),
            FwCfgKey.ramSize: Self.le64(ramSize),
            FwCfgKey.nbCPUs: Self.le16(cpuCount),
            FwCfgKey.maxCPUs: Self.le16(maxCPUs ?? cpuCount),
        ]
        func addBlob(_ blob: Blob?, name: String, address: UInt16, size: UInt16, data: UInt16) throws(FwCfgError) {
            guard let blob else { return }
            guard let count = UInt32(exactly: blob.data.count) else {
                throw .itemTooLarge(name: name, size: blob.data.count)
            }
            items[address] = Self.le32(blob.address)
            items[size] = Self.le32(count)
            items[data] = blob.data
        }
        try addBlob(kernel, name: "kernel", address: FwCfgKey.kernelAddress, size: FwCfgKey.kernelSize,
                    data: FwCfgKey.kernelData)
        try addBlob(initrd, name: "initrd", address: FwCfgKey.initrdAddress, size: FwCfgKey.initrdSize,
                    data: FwCfgKey.initrdData)
        try addBlob(setup, name: "setup", address: FwCfgKey.setupAddress, size: FwCfgKey.setupSize,
                    data: FwCfgKey.setupData)
        if let kernelEntry { items[FwCfgKey.kernelEntry] = Self.le32(kernelEntry) }
        if let commandLine {
            let data = Array(commandLine.utf8) + [0]
            guard let count = UInt32(exactly: data.count) else {
                throw .itemTooLarge(name: "command line", size: data.count)
            }
            items[FwCfgKey.commandLineSize] = Self.le32(count)
            items[FwCfgKey.commandLineData] = data
        }
        if let commandLineAddress { items[FwCfgKey.commandLineAddress] = Self.le32(commandLineAddress) }

        var directory = Self.be32(UInt32(files.count))
        for (index, file) in files.enumerated() {
            let key = FwCfgKey.firstFile + UInt16(index)
            items[key] = file.contents
            var name = Array(file.name.utf8)
            name += [UInt8](repeating: 0, count: 56 - name.count)
            directory += Self.be32(UInt32(file.contents.count)) + Self.be16(key) + [0, 0] + name
        }
        items[FwCfgKey.fileDirectory] = directory
        return items
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
}
