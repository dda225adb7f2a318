package pci

// QEMU's pc machine (i440FX) with an e1000, a modern virtio-net, and a
// pci-bridge with a device behind it, as SeaBIOS leaves them.
var (
	hostBridge = Address{0, 0, 0}
	isaBridge  = Address{0, 1, 0}
	ide        = Address{0, 1, 1}
	acpi       = Address{0, 1, 3}
	vga        = Address{0, 2, 0}
	e1000      = Address{0, 3, 0}
	virtioNet  = Address{0, 4, 0}
	bridge     = Address{0, 5, 0}
	behind     = Address{1, 0, 0}
)

func qemuPC() *fakeConfig {
	f := newFakeConfig()
	f.add(hostBridge, 0x8086, 0x1237, 0x060000, 0x02, HeaderNormal)

	// PIIX3: function 0 marks the device multi-function; function 2
	// (USB) is absent.
	f.add(isaBridge, 0x8086, 0x7000, 0x060100, 0x00, HeaderNormal|headerMulti)
	fn := f.add(ide, 0x8086, 0x7010, 0x010180, 0x00, HeaderNormal)
	fn.ioBAR(4, 0xc060, 16, false)
	fn.set16(RegCommand, CmdIO|CmdBusMaster, 0x0547)
	fn = f.add(acpi, 0x8086, 0x7113, 0x068000, 0x03, HeaderNormal)
	fn.set8(RegIntLine, 9, 0xff)
	fn.set8(RegIntPin, 1, 0)

	fn = f.add(vga, 0x1234, 0x1111, 0x030000, 0x02, HeaderNormal)
	fn.mem32BAR(0, 0xfd000000, 16<<20, true)
	fn.mem32BAR(2, 0xfebd0000, 4096, false)
	fn.set16(RegCommand, CmdIO|CmdMemory, 0x0547)

	fn = f.add(e1000, 0x8086, 0x100e, 0x020000, 0x03, HeaderNormal)
	fn.mem32BAR(0, 0xfebc0000, 128<<10, false)
	fn.ioBAR(1, 0xc000, 64, false)
	fn.set16(RegSubsystemVendor, 0x1af4, 0)
	fn.set16(RegSubsystemID, 0x1100, 0)
	fn.set8(RegIntLine, 11, 0xff)
	fn.set8(RegIntPin, 1, 0)
	fn.set16(RegCommand, CmdIO|CmdMemory|CmdBusMaster, 0x0547)

	// virtio-net, non-transitional: MSI-X table and PBA in BAR 1, the
	// virtio structures in BAR 4, capabilities where QEMU 7.2 puts them.
	fn = f.add(virtioNet, 0x1af4, 0x1041, 0x020000, 0x01, HeaderNormal)
	fn.space = append(fn.space, make([]byte, 4096-256)...) // PCI Express sized
	fn.wmask = append(fn.wmask, make([]byte, 4096-256)...)
	fn.w1c = append(fn.w1c, make([]byte, 4096-256)...)
	fn.mem32BAR(1, 0xfebd1000, 4096, false)
	fn.mem64BAR(4, 0xfe000000, 16<<10, true)
	fn.set16(RegSubsystemVendor, 0x1af4, 0)
	fn.set16(RegSubsystemID, 0x1100, 0)
	fn.set8(RegIntLine, 10, 0xff)
	fn.set8(RegIntPin, 1, 0)
	fn.set16(RegCommand, CmdMemory|CmdBusMaster, 0x0547)
	fn.addMSIX(0x98, 3, 1, 0, 1, 0x800)
	fn.addVirtioCap(0x84, 20, virtioPCICfg, 0, 0, 0)
	fn.addVirtioCap(0x70, 20, virtioNotifyCfg, 4, 0x3000, 0x1000)
	fn.set32(0x70+16, 4, 0) // notify_off_multiplier
	fn.addVirtioCap(0x60, 16, virtioDeviceCfg, 4, 0x2000, 0x1000)
	fn.addVirtioCap(0x50, 16, virtioISRCfg, 4, 0x1000, 0x1000)
	fn.addVirtioCap(0x40, 16, virtioCommonCfg, 4, 0x0000, 0x1000)

	// pci-bridge: secondary bus 1; an SHPC BAR, 32-bit MSI, subsystem
	// IDs in a capability. Secondary status has RW1C bits too.
	fn = f.add(bridge, 0x1b36, 0x0001, 0x060400, 0x00, HeaderBridge)
	fn.mem32BAR(0, 0xfebd2000, 256, false)
	fn.set32(RegPrimaryBus, 0x00010100, 0x00ffffff)
	fn.setW1C16(0x1e, 0xf900)
	fn.set8(RegIntPin, 1, 0)
	fn.set16(RegCommand, CmdIO|CmdMemory|CmdBusMaster, 0x0547)
	fn.addMSI(0x50, 0, false, false)
	fn.addCap(0x48, CapBridgeSubsystem)
	fn.set16(0x48+4, 0x1af4, 0)
	fn.set16(0x48+6, 0x1100, 0)

	// Behind the bridge: a function with 64-bit MSI, 4 vectors and
	// per-vector masking, and a BAR above 4 GiB.
	fn = f.add(behind, 0x1af4, 0x1042, 0x010000, 0x01, HeaderNormal)
	fn.mem64BAR(0, 0x8_0000_0000, 1<<20, true)
	fn.set16(RegCommand, CmdMemory, 0x0547)
	fn.addMSI(0x50, 2, true, true)
	return f
}
