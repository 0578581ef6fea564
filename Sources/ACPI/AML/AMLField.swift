// Operation regions and their field lists (ACPI 6.5 ASL OperationRegion and Field; encodings in
// §20.2.5.2, Named Objects).

/// The address space an `OperationRegion` lives in (RegionSpace byte).
public enum AMLRegionSpace: UInt8, Sendable {
    case systemMemory = 0x00
    case systemIO = 0x01
    /// PCI configuration space of the device whose `_ADR` (and its bus's `_BBN`) is in scope.
    case pciConfig = 0x02
    case embeddedControl = 0x03
    case smbus = 0x04
    case systemCMOS = 0x05
    case pciBarTarget = 0x06
}

/// FieldFlags bits 3:0: the access width the interpreter uses for the region.
public enum AMLFieldAccess: UInt8, Sendable {
    case any = 0, byte = 1, word = 2, dword = 3, qword = 4, buffer = 5
}

/// FieldFlags bits 6:5: what happens to the bits of an access that lie outside the field.
public enum AMLFieldUpdate: UInt8, Sendable {
    case preserve = 0, writeAsOnes = 1, writeAsZeros = 2
}

/// One entry of a FieldList.
public enum AMLFieldElement: Sendable, Equatable {
    /// A named field unit `bits` wide at the current offset (NameSeg PkgLength).
    case named(AMLNameSeg, bits: Int)
    /// `Offset ()`-style skip of `bits` (ReservedField: 0x00 PkgLength).
    case reserved(bits: Int)

    var encoded: [UInt8] {
        switch self {
        case .named(let seg, let bits): return seg.bytes + AMLPkgLength.encode(bits)
        case .reserved(let bits): return [0x00] + AMLPkgLength.encode(bits)
        }
    }
}
