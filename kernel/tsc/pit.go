package tsc

// PIT ports and commands (Intel 8254 datasheet).
const (
	pitCh0     = 0x40
	pitCommand = 0x43
	pitRate    = 0x34 // channel 0, low then high byte, mode 2 (rate generator); | channel<<6

	// Port 0x61 (NMI status and control) gates channel 2 with bit 0;
	// bit 1 drives the speaker.
	gatePort = 0x61
	gateOn   = 0x01
	speaker  = 0x02
)

// measurePITGate counts PIT channel 2 down through latched reads, with
// port 0x61 holding its gate open, as a PC's firmware-free calibration
// does without touching the timer interrupt's channel. Only a port 0x61
// that behaves is used: one whose gate bit reads back as written (a
// machine without the port, such as QEMU's microvm, reads 0xff).
func measurePITGate(hw Hardware) uint64 {
	saved := hw.Inb(gatePort)
	ctl := saved &^ (speaker | gateOn)
	hw.Outb(gatePort, ctl)
	hz := uint64(0)
	if hw.Inb(gatePort)&gateOn == 0 {
		hw.Outb(gatePort, ctl|gateOn)
		if hw.Inb(gatePort)&gateOn != 0 {
			hz = measurePIT(hw, 2)
		}
	}
	hw.Outb(gatePort, saved)
	return hz
}

// measurePITLatch counts channel 0 down through latched reads; it needs
// no port 0x61. Its interrupt line is masked while the kernel runs, and
// the rate it is left at is the one a BIOS sets, 18.2 Hz.
func measurePITLatch(hw Hardware) uint64 {
	return measurePIT(hw, 0)
}

// measurePIT runs a channel as a rate generator over its full 16-bit
// period and measures the TSC against its count.
func measurePIT(hw Hardware, channel uint8) uint64 {
	hw.Outb(pitCommand, pitRate|channel<<6)
	hw.Outb(pitCh0+uint16(channel), 0)
	hw.Outb(pitCh0+uint16(channel), 0)
	return measure(hw, counter{channel: channel, hz: pitHz, mask: 0xffff})
}
