// Command e1000probe drives QEMU's e1000 family with package e1000 on
// Warren: it finds the controller on PCI bus 0 (with its own few lines of
// configuration-space access), opens it, resolves the user-mode network's
// gateway with ARP, pings it with the IPv4 and ICMP checksums left to the
// device and, given a host port, sends data over TCP to it with TCP
// segmentation offload. For manual runs:
//
//	warren build -o /tmp/p.elf ./drivers/e1000/testdata/e1000probe
//	qemu-system-x86_64 -nodefaults -display none -serial stdio -kernel /tmp/p.elf \
//	    -device isa-debug-exit,iobase=0xf4,iosize=4 -nic user,model=e1000
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"time"

	"warren.dev/drivers/e1000"
	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw/kernelhw"
	"warren.dev/kernel/cpu"
	wnet "warren.dev/net"
)

var (
	myIP = [4]byte{10, 0, 2, 15}
	gwIP = [4]byte{10, 0, 2, 2}
)

func main() {
	port := 0
	if len(os.Args) > 1 {
		port, _ = strconv.Atoi(os.Args[1])
	}
	p := kernelhw.Platform()
	bdf, device := find()
	bar := cfgRead(bdf, 0x10)
	if bar&1 != 0 {
		fail("BAR0 is not memory")
	}
	line := uint8(cfgRead(bdf, 0x3C))
	cmd := cfgRead(bdf, 0x04) & 0xFFFF
	cfgWrite(bdf, 0x04, (cmd|0x6)&^(1<<10)) // memory, bus master, INTx on; status bits written 0
	regs, err := p.Mapper.MapMMIO(uint64(bar&^0xF), 0x20000)
	if err != nil {
		fail("map: " + err.Error())
	}
	irq, err := p.Interrupts.Line(line)
	if err != nil {
		// Warren opens every e1000 at boot for its default network
		// stack (package system): take the device back. On QEMU, whose
		// model ignores CTRL.RST, this also checks that Close leaves
		// the device fit for another Open.
		if s := wnet.Default(); s != nil {
			s.Close()
			fmt.Println("closed the default network stack")
			irq, err = p.Interrupts.Line(line)
		}
	}
	if err != nil {
		fail("irq: " + err.Error())
	}

	frames := make(chan []byte, 256)
	start := time.Now()
	d, err := e1000.Open(regs, p.DMA, irq, e1000.Options{
		DeviceID: device,
		Receive: func(f ether.Frame) {
			select {
			case frames <- bytes.Clone(f.Data[0]):
			default:
			}
		},
	})
	if err != nil {
		fail("open: " + err.Error())
	}
	mac := d.MAC()
	fmt.Printf("open ok %s mac %x irq %d link after %v features %b\n", d.Name(), mac, line, time.Since(start).Round(time.Millisecond), d.Features())

	// ARP for the gateway.
	arp := make([]byte, 28)
	copy(arp, []byte{0, 1, 8, 0, 6, 4, 0, 1})
	copy(arp[8:], mac[:])
	copy(arp[14:], myIP[:])
	copy(arp[24:], gwIP[:])
	send(d, ether.Frame{Data: [][]byte{eth([6]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, mac, 0x0806), arp}})
	reply := wait(frames, func(f []byte) bool {
		return len(f) >= 42 && binary.BigEndian.Uint16(f[12:]) == 0x0806 && binary.BigEndian.Uint16(f[20:]) == 2
	})
	var gw [6]byte
	copy(gw[:], reply[22:28])
	fmt.Printf("arp ok gateway %x\n", gw)

	// Ping with the IP header checksum offloaded: QEMU's user network
	// drops packets with a wrong one. The ICMP checksum is computed here:
	// QEMU's e1000e (unlike its e1000) completes only TCP and UDP
	// checksums, whatever TUCSS and TUCSO say.
	payload := make([]byte, 1000)
	for i := range payload {
		payload[i] = byte(i)
	}
	icmp := append([]byte{8, 0, 0, 0, 0x12, 0x34, 0, 1}, payload...)
	binary.BigEndian.PutUint16(icmp[2:], ^ether.Fold(ether.Sum(icmp, 0)))
	ping := append(eth(gw, mac, 0x0800), ipv4(1, len(icmp), 0xBEEF)...) // a wrong IP checksum, for the device to fix
	ping = append(ping, icmp...)
	send(d, ether.Frame{Data: [][]byte{ping}, NeedsIPCsum: true})
	pong := wait(frames, func(f []byte) bool {
		return len(f) >= 42 && binary.BigEndian.Uint16(f[12:]) == 0x0800 && f[23] == 1 && f[34] == 0
	})
	if !bytes.Equal(pong[42:], payload) {
		fail("echo reply payload differs")
	}
	fmt.Println("ping ok")

	if port != 0 {
		tcpSend(d, frames, mac, gw, uint16(port))
	}

	s, hs := d.Stats(), d.HWStats()
	fmt.Printf("stats rx %d/%dB tx %d/%dB drops %d/%d interrupts %d; GPRC %d GPTC %d TSCTC %d MPC %d\n",
		s.RxPackets, s.RxBytes, s.TxPackets, s.TxBytes, s.RxDropped, s.TxDropped, s.Interrupts, hs.GPRC, hs.GPTC, hs.TSCTC, hs.MPC)
	if err := d.Close(); err != nil {
		fail("close: " + err.Error())
	}
	fmt.Println("e1000probe ok")
}

// tcpSend connects to the gateway's port (the host's loopback, through
// QEMU's user network), sends 20000 bytes in one segmentation-offload
// frame and closes.
func tcpSend(d *e1000.Device, frames chan []byte, mac, gw [6]byte, port uint16) {
	const iss = 1000
	tcpFrame := func(seq, ack uint32, flags byte, data []byte) []byte {
		f := append(eth(gw, mac, 0x0800), ipv4(6, 20+len(data), 0)...)
		h := make([]byte, 20)
		binary.BigEndian.PutUint16(h, 40000)
		binary.BigEndian.PutUint16(h[2:], port)
		binary.BigEndian.PutUint32(h[4:], seq)
		binary.BigEndian.PutUint32(h[8:], ack)
		h[12], h[13] = 5<<4, flags
		binary.BigEndian.PutUint16(h[14:], 65535)
		return append(append(f, h...), data...)
	}
	isTCP := func(f []byte) bool {
		return len(f) >= 54 && binary.BigEndian.Uint16(f[12:]) == 0x0800 && f[23] == 6 &&
			binary.BigEndian.Uint16(f[34:]) == port && binary.BigEndian.Uint16(f[36:]) == 40000
	}
	offload := func(f []byte) ether.Frame {
		start, off, ok := e1000.SeedChecksum(f)
		if !ok {
			fail("SeedChecksum")
		}
		return ether.Frame{Data: [][]byte{f}, NeedsCsum: true, CsumStart: start, CsumOffset: off, NeedsIPCsum: true}
	}

	send(d, offload(tcpFrame(iss, 0, 0x02, nil))) // SYN
	synack := wait(frames, func(f []byte) bool { return isTCP(f) && f[47]&0x12 == 0x12 })
	irs := binary.BigEndian.Uint32(synack[38:])
	window := int(binary.BigEndian.Uint16(synack[48:]))
	mss := 536
	if opts := synack[54:min(len(synack), 14+20+int(synack[46]>>4)*4)]; len(opts) >= 4 && opts[0] == 2 {
		mss = int(binary.BigEndian.Uint16(opts[2:]))
	}
	send(d, offload(tcpFrame(iss+1, irs+1, 0x10, nil))) // ACK

	n := min(20000, window)
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7)
	}
	big := tcpFrame(iss+1, irs+1, 0x18, data)
	fmt.Printf("tcp connected, window %d, mss %d: sending %d bytes in one frame\n", window, mss, n)
	send(d, ether.Frame{Data: [][]byte{big[:100], big[100:]}, GSOType: ether.GSOTCPv4, GSOSize: uint16(min(mss, 1460)), HdrLen: 54})
	wait(frames, func(f []byte) bool {
		return isTCP(f) && f[47]&0x10 != 0 && binary.BigEndian.Uint32(f[42:]) == iss+1+uint32(n)
	})
	fmt.Println("tso ok")
	send(d, offload(tcpFrame(iss+1+uint32(n), irs+1, 0x11, nil))) // FIN
	wait(frames, func(f []byte) bool { return isTCP(f) && binary.BigEndian.Uint32(f[42:]) == iss+2+uint32(n) })
	fmt.Println("tcp closed")
}

func send(d *e1000.Device, f ether.Frame) {
	if n, err := d.Transmit([]ether.Frame{f}); n != 1 || err != nil {
		fail(fmt.Sprintf("transmit: %d, %v", n, err))
	}
}

func wait(frames chan []byte, match func([]byte) bool) []byte {
	timeout := time.After(10 * time.Second)
	for {
		select {
		case f := <-frames:
			if match(f) {
				return f
			}
		case <-timeout:
			fail("timed out waiting for a reply")
		}
	}
}

func eth(dst, src [6]byte, et uint16) []byte {
	return append(append(append([]byte{}, dst[:]...), src[:]...), byte(et>>8), byte(et))
}

var ipID uint16

// ipv4 is an IPv4 header to the gateway; csum is left as given.
func ipv4(proto byte, payload int, csum uint16) []byte {
	ipID++
	h := make([]byte, 20)
	h[0], h[8], h[9] = 0x45, 64, proto
	binary.BigEndian.PutUint16(h[2:], uint16(20+payload))
	binary.BigEndian.PutUint16(h[4:], ipID)
	binary.BigEndian.PutUint16(h[10:], csum)
	copy(h[12:], myIP[:])
	copy(h[16:], gwIP[:])
	return h
}

// find returns the first supported controller on bus 0.
func find() (bdf uint32, device uint16) {
	for dev := range uint32(32) {
		id := cfgRead(dev<<11, 0)
		if e1000.Supports(uint16(id), uint16(id>>16)) {
			return dev << 11, uint16(id >> 16)
		}
	}
	fail("no e1000 on bus 0")
	return 0, 0
}

// cfgRead and cfgWrite use PCI configuration mechanism #1 (ports 0xCF8
// and 0xCFC); bdf is bus<<16 | device<<11 | function<<8.
func cfgRead(bdf uint32, off uint8) uint32 {
	cpu.Outl(0xCF8, 1<<31|bdf|uint32(off&^3))
	return cpu.Inl(0xCFC)
}

func cfgWrite(bdf uint32, off uint8, v uint32) {
	cpu.Outl(0xCF8, 1<<31|bdf|uint32(off&^3))
	cpu.Outl(0xCFC, v)
}

func fail(msg string) {
	fmt.Println("e1000probe failed:", msg)
	os.Exit(1)
}
