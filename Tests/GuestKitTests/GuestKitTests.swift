import Testing
import GuestKit

@Suite("Guest kit")
struct GuestKitTests {
    @Test("package names order by their numeric version parts")
    func versionOrdering() {
        #expect(versionLess("linux-image-6.1.0-9-686-unsigned", "linux-image-6.1.0-28-686-unsigned"))
        #expect(!versionLess("linux-image-6.1.0-50-686-unsigned", "linux-image-6.1.0-47-686-unsigned"))
        #expect(versionLess("linux-image-5.10.0-30-686-unsigned", "linux-image-6.1.0-1-686-unsigned"))
        let names = ["linux-image-6.1.0-47-686-unsigned", "linux-image-6.1.0-50-686-unsigned", "linux-image-6.1.0-9-686-unsigned"]
        #expect(names.max(by: versionLess) == "linux-image-6.1.0-50-686-unsigned")
    }

    @Test("module closure lists dependencies before their users, once each, with - and _ folded")
    func moduleClosure() throws {
        let dep = ModuleDependencies(modulesDep: """
            kernel/drivers/hv/hv_vmbus.ko:
            kernel/drivers/scsi/hv_storvsc.ko: kernel/drivers/scsi/scsi_transport_fc.ko kernel/drivers/hv/hv_vmbus.ko
            kernel/drivers/scsi/scsi_transport_fc.ko: kernel/drivers/scsi/scsi_common.ko
            kernel/drivers/scsi/scsi_common.ko:
            kernel/drivers/input/serio/hyperv-keyboard.ko.xz: kernel/drivers/hv/hv_vmbus.ko
            """)
        let order = try dep.closure(of: ["hv_storvsc", "hyperv-keyboard", "hv_vmbus"])
        #expect(order == ["kernel/drivers/scsi/scsi_common.ko", "kernel/drivers/scsi/scsi_transport_fc.ko",
                          "kernel/drivers/hv/hv_vmbus.ko", "kernel/drivers/scsi/hv_storvsc.ko",
                          "kernel/drivers/input/serio/hyperv-keyboard.ko.xz"])
        #expect(throws: GuestKitError.self) { try dep.closure(of: ["no_such_module"]) }
    }

    @Test("/init mounts the pseudo filesystems and prints the ready marker before the shell")
    func initScript() {
        let s = GuestKit.initScript
        for needed in ["mount -t proc", "mount -t sysfs", "mount -t devtmpfs", GuestKit.readyMarker, "/bin/sh"] {
            #expect(s.contains(needed), "\(needed)")
        }
        #expect(s.hasPrefix("#!/bin/busybox sh"))
        // root=DEV: drivers loaded, DEV mounted, then switch_root to its /sbin/init.
        for needed in ["root=*)", "modprobe", "switch_root /newroot /sbin/init", "mount --move /dev"] {
            #expect(s.contains(needed), "\(needed)")
        }
        #expect(s.range(of: "switch_root")!.lowerBound < s.range(of: GuestKit.readyMarker)!.lowerBound)
    }
}
