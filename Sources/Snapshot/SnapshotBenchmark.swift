// Save/restore throughput on synthetic guest RAM, for the Benchmarks package and for tuning.

import Foundation

/// Times a full write and read of a snapshot of synthetic RAM. No assertions: callers print
/// the figures (ARCHITECTURE.md, "Tests", 6).
public enum SnapshotBenchmark {
    /// What one run measured.
    public struct Result: Sendable, CustomStringConvertible {
        public var ramBytes: Int
        public var fileBytes: UInt64
        public var writeSeconds: Double
        public var readSeconds: Double

        public var description: String {
            func rate(_ s: Double) -> String { String(format: "%.0f MiB/s", Double(ramBytes) / 1_048_576 / s) }
            return String(format: "%d MiB RAM -> %.1f MiB file; write %.3f s (%@), read %.3f s (%@)",
                          ramBytes >> 20, Double(fileBytes) / 1_048_576, writeSeconds, rate(writeSeconds),
                          readSeconds, rate(readSeconds))
        }
    }

    /// Deterministic RAM that looks like a booted guest's: per 1 MiB region, a quarter each of
    /// all-zero chunks, random bytes (compressed pages, caches), text-like data (kernel and page
    /// cache), and mostly-zero pages with sparse structures (page tables, slab headers).
    public static func mixedRAM(byteCount: Int, seed: UInt64 = 0x5EED) -> [UInt8] {
        var ram = [UInt8](repeating: 0, count: byteCount)
        var state = seed | 1
        func next() -> UInt64 {
            // xorshift64*: fast and good enough to defeat compression where it should.
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        let words = ["the ", "kernel ", "page ", "struct ", "return ", "int ", "0x", "\n", "static ", "void ",
                     "memory ", "if (", ") {", "}\n", "lock", "unlock", "->", "data", "size", "; "].map { Array($0.utf8) }
        let region = 1 << 20
        ram.withUnsafeMutableBufferPointer { r in
            var base = 0
            while base < byteCount {
                let kind = Int(next() % 4)
                let end = min(base + region, byteCount)
                switch kind {
                case 1:
                    var p = base
                    while p + 8 <= end {
                        withUnsafeBytes(of: next()) { for i in 0..<8 { r[p + i] = $0[i] } }
                        p += 8
                    }
                case 2:
                    var p = base
                    while p < end {
                        let w = words[Int(next() % UInt64(words.count))]
                        for b in w where p < end {
                            r[p] = b
                            p += 1
                        }
                    }
                case 3:
                    var p = base
                    while p + 4 <= end {
                        if next() % 16 == 0 {
                            let v = UInt32(truncatingIfNeeded: next()) & 0x00FF_F067
                            withUnsafeBytes(of: v.littleEndian) { for i in 0..<4 { r[p + i] = $0[i] } }
                        }
                        p += 64
                    }
                default:
                    break
                }
                base = end
            }
        }
        return ram
    }

    /// Writes `ram` as a snapshot in `directory`, reads it back, deletes the file and reports
    /// the times.
    /// The machine's RAM exists before a restore, so the read-back buffer is allocated (and
    /// touched) outside the timed part.
    public static func run(ram: [UInt8], directory: String, options: SnapshotWriteOptions = SnapshotWriteOptions())
        throws(SnapshotFileError) -> Result
    {
        let path = directory + "/partita-bench-\(getpid()).psnap"
        defer { unlink(path) }
        let sections = [SnapshotSection(name: "bench", version: 1, payload: Array(repeating: 7, count: 4096))]
        var back = [UInt8](repeating: 1, count: ram.count)
        let t0 = DispatchTime.now().uptimeNanoseconds
        try SnapshotFile.write(to: path, configuration: .null, partitaVersion: "bench", sections: sections, ram: ram,
                               options: options)
        let t1 = DispatchTime.now().uptimeNanoseconds
        var failure: SnapshotFileError?
        let reader = try SnapshotReader(path: path)
        back.withUnsafeMutableBytes { b in
            do throws(SnapshotFileError) { _ = try reader.read(ramInto: b) } catch { failure = error }
        }
        if let failure { throw failure }
        let t2 = DispatchTime.now().uptimeNanoseconds
        return Result(ramBytes: ram.count, fileBytes: reader.fileSize,
                      writeSeconds: Double(t1 - t0) / 1e9, readSeconds: Double(t2 - t1) / 1e9)
    }
}
