// A readable dump of the architectural state, for triple faults and debugging.

extension CPU {
    /// Registers, segments, control and debug registers, one group per line.
    public var stateDescription: String {
        func h(_ v: UInt32, _ digits: Int = 8) -> String {
            let s = String(v, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        var lines: [String] = []
        let names = ["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"]
        lines.append((0..<8).map { "\(names[$0])=\(h(regs[$0]))" }.joined(separator: " "))
        lines.append("EIP=\(h(eip)) EFL=\(h(eflags)) CPL=\(cpl) \(protectedMode ? (v86Mode ? "V86" : "PM") : "RM")"
                     + (halted ? " HLT" : "") + (inShutdown ? " SHUTDOWN" : ""))
        for s in SegmentRegister.allCases {
            let c = segs[s.rawValue]
            lines.append("\(String(describing: s).uppercased())=\(h(UInt32(c.selector), 4)) base=\(h(c.base)) "
                         + "limit=\(h(c.limit)) access=\(h(UInt32(c.access), 2)) flags=\(h(UInt32(c.flags), 1))"
                         + (c.usable ? "" : " (null)"))
        }
        lines.append("LDT=\(h(UInt32(ldtr.selector), 4)) base=\(h(ldtr.base)) limit=\(h(ldtr.limit))  "
                     + "TR=\(h(UInt32(tr.selector), 4)) base=\(h(tr.base)) limit=\(h(tr.limit))")
        lines.append("GDT=\(h(gdtrBase)) limit=\(h(gdtrLimit, 4))  IDT=\(h(idtrBase)) limit=\(h(idtrLimit, 4))")
        lines.append("CR0=\(h(cr0)) CR2=\(h(cr2)) CR3=\(h(cr3)) CR4=\(h(cr4))")
        lines.append("DR0=\(h(dr[0])) DR1=\(h(dr[1])) DR2=\(h(dr[2])) DR3=\(h(dr[3])) DR6=\(h(dr[6])) DR7=\(h(dr[7]))")
        lines.append("instructions retired: \(instructionsRetired)")
        return lines.joined(separator: "\n")
    }
}
