// A raw 8-byte segment or gate descriptor with its decoded fields (SDM Vol. 3 §3.4.5, §5.8).

/// A descriptor as read from the GDT, LDT or IDT.
struct Descriptor {
    var lo: UInt32
    var hi: UInt32

    var base: UInt32 { (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF00_0000) }
    var rawLimit: UInt32 { (lo & 0xFFFF) | (hi & 0xF_0000) }
    var granular: Bool { hi & 0x80_0000 != 0 }
    var limit: UInt32 { granular ? (rawLimit << 12) | 0xFFF : rawLimit }
    var access: UInt8 { UInt8(truncatingIfNeeded: hi >> 8) }
    var flags: UInt8 { UInt8(truncatingIfNeeded: hi >> 20) & 0xF }
    var present: Bool { hi & 0x8000 != 0 }
    var dpl: Int { Int(hi >> 13) & 3 }
    /// S bit clear: a system segment or gate.
    var isSystem: Bool { hi & 0x1000 == 0 }
    var type: Int { Int(hi >> 8) & 0xF }
    var isCode: Bool { !isSystem && hi & 0x800 != 0 }
    var isData: Bool { !isSystem && hi & 0x800 == 0 }
    var isConforming: Bool { isCode && hi & 0x400 != 0 }
    var isReadable: Bool { isCode ? hi & 0x200 != 0 : true }
    var isWritable: Bool { isData && hi & 0x200 != 0 }
    var big: Bool { hi & 0x40_0000 != 0 }

    // Gate fields
    var gateSelector: UInt16 { UInt16(truncatingIfNeeded: lo >> 16) }
    var gateOffset: UInt32 { (hi & 0xFFFF_0000) | (lo & 0xFFFF) }
    var gateParamCount: Int { Int(hi) & 0x1F }

    func cache(selector: UInt16) -> SegmentCache {
        SegmentCache(selector: selector, base: base, limit: limit, access: access, flags: flags, usable: true)
    }

    /// System descriptor types.
    enum SystemType {
        static let tss16Available = 1
        static let ldt = 2
        static let tss16Busy = 3
        static let callGate16 = 4
        static let taskGate = 5
        static let interruptGate16 = 6
        static let trapGate16 = 7
        static let tss32Available = 9
        static let tss32Busy = 11
        static let callGate32 = 12
        static let interruptGate32 = 14
        static let trapGate32 = 15
    }
}
