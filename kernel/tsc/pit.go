package tsc

// PIT ports and commands (Intel 8254 datasheet).
const (
	pitCh0     = 0x40
	pitCh2     = 0x42
	pitCommand = 0x43
	pitLatch0  = 0x00 // counter latch command, channel 0
	pitRate0   = 0x34 // channel 0, low then high byte, mode 2 (rate generator)
	pitOneShot = 0xb0 // channel 2, low then high byte, mode 0 (interrupt on terminal count)

	// Port 0x61 (NMI status and control) gates channel 2 with bit 0 and
	// shows its output in bit 5; bit 1 drives the speaker.
	gatePort = 0x61
	gateOn   = 0x01
	speaker  = 0x02
	pitOut2  = 0x20
)

// measurePITGate times PIT channel 2 counting down the window in mode 0,
// whose output rises at the end. Only a port 0x61 that behaves is used:
// one whose gate bit reads back as written and whose output bit is low
// while the count runs (a machine without the port reads 0xff).
func measurePITGate(hw Hardware) uint64 {
	saved := hw.Inb(gatePort)
	hz := gatedCount(hw, saved&^(speaker|gateOn))
	hw.Outb(gatePort, saved)
	return hz
}

// gatedCount runs the count with ctl as port 0x61's other bits.
func gatedCount(hw Hardware, ctl uint8) uint64 {
	const count = pitHz / windowDiv
	hw.Outb(gatePort, ctl)
	if hw.Inb(gatePort)&gateOn != 0 {
		return 0
	}
	hw.Outb(pitCommand, pitOneShot)
	hw.Outb(pitCh2, count&0xff)
	hw.Outb(pitCh2, count>>8)
	hw.Outb(gatePort, ctl|gateOn) // mode 0 starts on the gate's rising edge
	start := hw.TSC()
	if v := hw.Inb(gatePort); v&gateOn == 0 || v&pitOut2 != 0 {
		return 0
	}
	const limit = 2 * MaxHz / windowDiv
	for hw.Inb(gatePort)&pitOut2 == 0 {
		if hw.TSC()-start > limit {
			return 0
		}
	}
	return (hw.TSC() - start) * pitHz / count
}

// measurePITLatch runs channel 0 as a rate generator over its full
// 16-bit period (the state a BIOS leaves it in, at 18.2 Hz) and counts
// it down through latched reads; it needs no port 0x61. Its interrupt
// line is masked while the kernel runs.
func measurePITLatch(hw Hardware) uint64 {
	hw.Outb(pitCommand, pitRate0)
	hw.Outb(pitCh0, 0)
	hw.Outb(pitCh0, 0)
	return measure(hw, counter{hz: pitHz, mask: 0xffff})
}
