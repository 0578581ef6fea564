import Foundation
import Testing
import EmulatorCore
import TestSupport
@testable import Chipset
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The far end of the serial socket, as `socat - UNIX-CONNECT:PATH` would be: blocking socket
/// calls, with a timeout on reads so a broken backend fails the test instead of hanging it.
final class SocketPeer {
    let fd: Int32

    /// Connects to `path`.
    init(connectingTo path: String) throws {
        fd = Self.makeSocket()
        let ok = Self.withAddress(path) { connect(fd, $0, $1) } == 0
        guard ok else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestSocketError(message: "connect \(path): \(reason)")
        }
    }

    init(descriptor: Int32) { fd = descriptor }

    deinit { if fd >= 0 { close(fd) } }

    static func makeSocket() -> Int32 {
        #if canImport(Darwin)
        return socket(AF_UNIX, SOCK_STREAM, 0)
        #else
        return socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #endif
    }

    static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Reads until `count` bytes arrived or `timeout` ms passed with nothing new.
    func receive(_ count: Int, timeout: Int32 = 2000) -> String {
        var out: [UInt8] = []
        while out.count < count {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, timeout) == 1 else { break }
            var buffer = [UInt8](repeating: 0, count: count - out.count)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether anything (data or EOF) is waiting within `timeout` ms.
    func hasInput(timeout: Int32 = 50) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, timeout) == 1
    }
}

struct TestSocketError: Error { var message: String }

/// Records what the backend hands to the UART side.
final class RecordingSerialReceiver: SerialReceiver {
    var received: [UInt8] = []
    var text: String { String(decoding: received, as: UTF8.self) }
    func receive(_ bytes: [UInt8]) { received += bytes }
    func receiveBreak() {}
    func setModemLines(_ lines: ModemLines) {}
}

@Suite("Unix socket serial backend", .serialized)
struct UnixSocketSerialBackendTests {
    /// Short enough for sun_path on every platform.
    static func temporaryPath() -> String {
        "/tmp/partita-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    func server() throws -> (UnixSocketSerialBackend, RecordingSerialReceiver, String) {
        let path = Self.temporaryPath()
        let backend = try UnixSocketSerialBackend(path: path)
        let receiver = RecordingSerialReceiver()
        backend.attach(receiver)
        return (backend, receiver, path)
    }

    func transmit(_ text: String, _ backend: UnixSocketSerialBackend) {
        for b in text.utf8 { backend.transmit(b) }
    }

    @Test("a client gets the guest's output and its bytes reach the UART; output with no client is dropped")
    func bothWays() throws {
        let (backend, receiver, path) = try server()
        transmit("early\n", backend)
        #expect(backend.droppedOutputCount == 6 && !backend.isConnected)

        let client = try SocketPeer(connectingTo: path)
        backend.poll()
        #expect(backend.isConnected && backend.connectionCount == 1)
        transmit("hello\n", backend)
        #expect(client.receive(6) == "hello\n", "a line goes out at its line feed")
        transmit("$ ", backend)
        #expect(!client.hasInput(), "a partial line waits for the next poll")
        backend.poll()
        #expect(client.receive(2) == "$ ")

        client.send("ls\r")
        backend.poll()
        #expect(receiver.text == "ls\r")
    }

    @Test("a client that disconnects is forgotten without SIGPIPE, and the next one is served")
    func disconnectAndReconnect() throws {
        let (backend, receiver, path) = try server()
        var first: SocketPeer? = try SocketPeer(connectingTo: path)
        backend.poll()
        #expect(backend.isConnected)
        first = nil
        _ = first
        // Output to a peer that is gone: the send fails with EPIPE, not a signal.
        transmit("into the void\n", backend)
        transmit("more\n", backend)
        backend.poll()
        #expect(!backend.isConnected)

        let second = try SocketPeer(connectingTo: path)
        backend.poll()
        #expect(backend.isConnected && backend.connectionCount == 2)
        transmit("again\n", backend)
        #expect(second.receive(6) == "again\n", "nothing from before the connection is replayed")
        second.send("y")
        backend.poll()
        #expect(receiver.text == "y")
    }

    @Test("a client that closes is noticed by poll, and a waiting client is accepted in the same poll")
    func eofThenWaitingClient() throws {
        let (backend, _, path) = try server()
        var first: SocketPeer? = try SocketPeer(connectingTo: path)
        backend.poll()
        let second = try SocketPeer(connectingTo: path)  // waits in the listen backlog
        first = nil
        _ = first
        backend.poll()
        #expect(backend.isConnected && backend.connectionCount == 2)
        transmit("hi\n", backend)
        #expect(second.receive(3) == "hi\n")
    }

    @Test("input is taken at most maxInput bytes per poll; the rest waits in the socket")
    func inputIsPaced() throws {
        let (backend, receiver, path) = try server()
        let client = try SocketPeer(connectingTo: path)
        backend.poll()
        client.send("abcdefghij")
        backend.poll(maxInput: 4)
        #expect(receiver.text == "abcd")
        backend.poll(maxInput: 0)
        #expect(receiver.text == "abcd")
        backend.poll(maxInput: 100)
        #expect(receiver.text == "abcdefghij")
    }

    @Test("a UART on the socket: THR writes reach the client and client bytes queue as UART input")
    func throughUART() throws {
        let path = Self.temporaryPath()
        let backend = try UnixSocketSerialBackend(path: path)
        let uart = UART16550(.com1, interrupt: RecordingInterruptLine(), scheduler: Scheduler(), backend: backend)
        let client = try SocketPeer(connectingTo: path)
        backend.poll()
        uart.ioWrite(port: IOPort(0x3FB), width: .byte, value: 0x03)
        for b in "login: ".utf8 { uart.ioWrite(port: IOPort(0x3F8), width: .byte, value: UInt32(b)) }
        backend.flush()
        #expect(client.receive(7) == "login: ")
        client.send("root\r")
        backend.poll()
        #expect(uart.pendingInputCount == 5)
    }

    @Test("a path too long for sun_path is refused with the limit in the message")
    func pathTooLong() {
        let path = "/tmp/" + String(repeating: "p", count: 200) + ".sock"
        do {
            _ = try UnixSocketSerialBackend(path: path)
            Issue.record("a 210-byte socket path was accepted")
        } catch {
            #expect(error == .socketPathTooLong(path: path, limit: UnixSocketAddress.maxPathLength))
            #expect(error.description.contains("at most \(UnixSocketAddress.maxPathLength)"))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a stale socket file is replaced, a live one or a regular file is refused, and the socket goes away with the backend")
    func pathHandling() throws {
        let path = Self.temporaryPath()
        // A socket file whose listener died without removing it.
        let stale = SocketPeer.makeSocket()
        #expect(SocketPeer.withAddress(path) { bind(stale, $0, $1) } == 0)
        close(stale)
        #expect(FileManager.default.fileExists(atPath: path))
        do {
            let backend = try UnixSocketSerialBackend(path: path)
            #expect(throws: SerialBackendError.socketInUse(path: path)) { _ = try UnixSocketSerialBackend(path: path) }
            _ = try SocketPeer(connectingTo: path)
            backend.poll()
            #expect(backend.isConnected)
        }
        #expect(!FileManager.default.fileExists(atPath: path), "removed when the backend goes")

        let file = Self.temporaryPath()
        #expect(FileManager.default.createFile(atPath: file, contents: Data("keep me".utf8)))
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: SerialBackendError.notASocket(path: file)) { _ = try UnixSocketSerialBackend(path: file) }
        #expect(FileManager.default.contents(atPath: file) == Data("keep me".utf8))
        #expect(throws: SerialBackendError.self) { _ = try UnixSocketSerialBackend(path: "/nonexistent-partita-dir/s.sock") }
    }

    @Test("client mode connects to a listening program and talks both ways")
    func clientMode() throws {
        let path = Self.temporaryPath()
        let listener = SocketPeer.makeSocket()
        defer { close(listener); unlink(path) }
        #expect(SocketPeer.withAddress(path) { bind(listener, $0, $1) } == 0 && listen(listener, 1) == 0)
        let backend = try UnixSocketSerialBackend(path: path, role: .client)
        let receiver = RecordingSerialReceiver()
        backend.attach(receiver)
        let peer = SocketPeer(descriptor: accept(listener, nil, nil))
        transmit("boot ok\n", backend)
        #expect(peer.receive(8) == "boot ok\n")
        peer.send("q")
        backend.poll()
        #expect(receiver.text == "q")
        #expect(throws: SerialBackendError.self) {
            _ = try UnixSocketSerialBackend(path: Self.temporaryPath(), role: .client)
        }
    }
}
