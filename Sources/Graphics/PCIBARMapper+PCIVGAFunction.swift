// Mapping the stdvga PCI function's BARs (linear framebuffer, MMIO registers) on the memory bus.

import Chipset
import EmulatorCore

extension PCIBARMapper {
    /// Maps `vga`'s linear framebuffer wherever BAR0 decodes and its MMIO registers wherever BAR2
    /// decodes, now and after every change (the guest moving a BAR moves the mapping).
    public func attach(_ vga: PCIVGAFunction) {
        attach(vga.config, bar: PCIVGAFunction.BAR.framebuffer, to: .memory(vga.linearFramebuffer))
        attach(vga.config, bar: PCIVGAFunction.BAR.registers, to: .memory(vga))
    }

    /// Like `attach(_:)`, but video RAM is mapped into `memory` (the mapper's own memory bus) as
    /// RAM pages wherever BAR0 decodes: the fast linear framebuffer.
    public func attach(_ vga: PCIVGAFunction, framebufferDirectlyInto memory: PhysicalMemory) {
        vga.mapFramebufferDirectly(into: memory)
        attach(vga.config, bar: PCIVGAFunction.BAR.registers, to: .memory(vga))
    }
}
