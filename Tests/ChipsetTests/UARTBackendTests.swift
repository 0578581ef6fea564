import Foundation
import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("Serial backends")
struct UARTBackendTests {
    private func transmit(_ text: String, through backend: SerialBackend) -> UART16550 {
        let uart = UART16550(.com1, interrupt: RecordingInterruptLine(), scheduler: Scheduler(), backend: backend)
        uart.ioWrite(port: IOPort(0x3FB), width: .byte, value: 0x03)  // 8N1 (reset leaves 5-bit words)
        for byte in text.utf8 { uart.ioWrite(port: IOPort(0x3F8), width: .byte, value: UInt32(byte)) }
        return uart
    }

    @Test("the file backend appends the guest's output to the file, across backends")
    func fileBackendAppends() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("partita-serial-\(UInt32.random(in: 0...UInt32.max)).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let backend = try FileSerialBackend(path: path)
            _ = transmit("boot: ok\n", through: backend)
            _ = transmit("login: ", through: backend)
            backend.flush()
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "boot: ok\nlogin: ")
        }
        do {
            let backend = try FileSerialBackend(path: path)
            _ = transmit("root\n", through: backend)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "boot: ok\nlogin: root\n")
    }

    @Test("the file backend reports a path it cannot open in words a user can act on")
    func fileBackendError() {
        #expect(throws: SerialBackendError.self) {
            _ = try FileSerialBackend(path: "/nonexistent-partita-dir/serial.log")
        }
        do {
            _ = try FileSerialBackend(path: "/nonexistent-partita-dir/serial.log")
        } catch {
            #expect(error.description.contains("/nonexistent-partita-dir/serial.log"))
        }
    }

    @Test("the stdio backend writes whole lines, flushes partial ones on request, and injects input")
    func stdioBackend() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let backend = StdioSerialBackend(descriptor: fds[1])
        let uart = transmit("abc", through: backend)
        #expect(backend.pendingOutputCount == 3)
        uart.ioWrite(port: IOPort(0x3F8), width: .byte, value: 0x0A)
        #expect(backend.pendingOutputCount == 0)
        for byte in "$ ".utf8 { uart.ioWrite(port: IOPort(0x3F8), width: .byte, value: UInt32(byte)) }
        backend.flush()
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = read(fds[0], &buffer, buffer.count)
        #expect(Array(buffer[0..<max(n, 0)]) == Array("abc\n$ ".utf8))

        backend.inject(Array("ls\r".utf8))
        #expect(uart.pendingInputCount == 3)
    }

    @Test("the null backend swallows output and the buffer backend keeps it")
    func nullAndBufferBackends() {
        _ = transmit("nothing to see", through: NullSerialBackend())
        let buffer = BufferSerialBackend()
        _ = transmit("kept", through: buffer)
        #expect(buffer.text == "kept")
        buffer.clear()
        #expect(buffer.transmitted.isEmpty)
    }
}
