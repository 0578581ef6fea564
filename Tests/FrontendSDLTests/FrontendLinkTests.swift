// The window ↔ emulation thread hand-over: frames, requests, status, screenshot names.

import EmulatorCore
import Foundation
import Testing
@testable import FrontendSDL

@Suite("Frontend link")
struct FrontendLinkTests {
    @Test("a frame is handed over once per publish, newest wins")
    func frames() {
        let exchange = FrameExchange()
        #expect(exchange.frame(newerThan: 0) == nil)
        #expect(exchange.latest == nil)
        exchange.publish(DisplayFrame(width: 2, height: 1, pixels: [1, 2]))
        exchange.publish(DisplayFrame(width: 1, height: 1, pixels: [7]))
        let got = exchange.frame(newerThan: 0)
        #expect(got?.frame.pixels == [7])
        #expect(exchange.frame(newerThan: got!.generation) == nil)
        exchange.publish(DisplayFrame(width: 1, height: 1, pixels: [8]))
        #expect(exchange.frame(newerThan: got!.generation)?.frame.pixels == [8])
    }

    @Test("requests and status messages are taken once, in order")
    func requests() {
        let link = FrontendLink()
        #expect(!link.hasPendingRequests)
        link.request(.saveSnapshot)
        link.request(.quit)
        #expect(link.hasPendingRequests)
        #expect(link.takeRequests() == [.saveSnapshot, .quit])
        #expect(link.takeRequests().isEmpty)
        link.postStatus("a")
        link.postStatus("b")
        #expect(link.takeStatus() == ["a", "b"])
        #expect(!link.isFinished)
        link.finish()
        #expect(link.isFinished)
    }

    @Test("screenshots go to --screenshot's file, else the first free partita-screenshot-N.png")
    func screenshotNames() {
        #expect(ScreenshotNaming.path(configured: "/tmp/x.png", exists: { _ in true }) == "/tmp/x.png")
        let taken: Set<String> = ["/d/partita-screenshot-1.png", "/d/partita-screenshot-2.png"]
        #expect(ScreenshotNaming.path(configured: nil, directory: "/d", exists: taken.contains) == "/d/partita-screenshot-3.png")
        #expect(ScreenshotNaming.path(configured: nil, directory: "/d", exists: { _ in false }) == "/d/partita-screenshot-1.png")
    }
}
