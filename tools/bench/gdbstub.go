package bench

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"time"
)

// gdbStub is a client of QEMU's gdbstub (the GDB remote serial protocol):
// just enough to stop the guest, read its registers and memory, and let
// it go on.
type gdbStub struct {
	c net.Conn
	r *bufio.Reader
}

// Byte offsets in QEMU's x86-64 "g" reply: sixteen 8-byte general
// registers, RIP, 4-byte EFLAGS and segment selectors (CS first), the
// FS, GS and kernel GS bases, then CR0, CR2 and CR3.
const (
	regRBP   = 8 * 6
	regRIP   = 8 * 16
	regCS    = regRIP + 8 + 4
	regCR3   = regCS + 6*4 + 3*8 + 2*8
	regsSize = regCR3 + 8
)

// vcpu is what a sample needs of the stopped vCPU.
type vcpu struct {
	rip, rbp uint64
	cs       uint32 // its low two bits are the privilege level
	cr3      uint64 // which address space
}

// dialStub connects to the stub on a Unix socket (QEMU's -gdb
// unix:PATH,server=on,wait=off). QEMU stops the guest when a debugger
// attaches; dialStub lets it run again.
func dialStub(path string) (*gdbStub, error) {
	c, err := net.DialTimeout("unix", path, 10*time.Second)
	if err != nil {
		return nil, err
	}
	g := &gdbStub{c: c, r: bufio.NewReader(c)}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := g.send("?"); err == nil {
		err = g.waitStop()
	}
	if err == nil {
		err = g.cont()
	}
	c.SetDeadline(time.Time{})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("gdbstub: %w", err)
	}
	return g, nil
}

func (g *gdbStub) Close() error { return g.c.Close() }

// send writes a packet: $data#checksum. Acknowledgements ('+') are
// skipped by recv.
func (g *gdbStub) send(p string) error {
	sum := 0
	for i := 0; i < len(p); i++ {
		sum += int(p[i])
	}
	_, err := fmt.Fprintf(g.c, "$%s#%02x", p, sum&0xff)
	return err
}

// recv reads the next packet and acknowledges it.
func (g *gdbStub) recv() (string, error) {
	for {
		b, err := g.r.ReadByte()
		if err != nil {
			return "", err
		}
		if b == '$' {
			break
		}
	}
	s, err := g.r.ReadString('#')
	if err != nil {
		return "", err
	}
	if _, err := g.r.Discard(2); err != nil {
		return "", err
	}
	_, err = g.c.Write([]byte{'+'})
	return strings.TrimSuffix(s, "#"), err
}

func isStop(reply string) bool { return strings.HasPrefix(reply, "T") || strings.HasPrefix(reply, "S") }

// cmd sends a request and returns its reply, skipping stop replies.
func (g *gdbStub) cmd(p string) (string, error) {
	if err := g.send(p); err != nil {
		return "", err
	}
	for {
		r, err := g.recv()
		if err != nil || !isStop(r) {
			return r, err
		}
	}
}

func (g *gdbStub) waitStop() error {
	for {
		r, err := g.recv()
		if err != nil || isStop(r) {
			return err
		}
	}
}

// interrupt stops the guest (a raw Ctrl-C byte) and waits until it has.
func (g *gdbStub) interrupt() error {
	if _, err := g.c.Write([]byte{3}); err != nil {
		return err
	}
	return g.waitStop()
}

// cont lets the guest run; the stub answers only when it stops again.
func (g *gdbStub) cont() error { return g.send("c") }

// regs reads the registers of the stopped vCPU.
func (g *gdbStub) regs() (vcpu, error) {
	s, err := g.cmd("g")
	if err != nil {
		return vcpu{}, err
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) < regsSize {
		return vcpu{}, fmt.Errorf("gdbstub: bad register reply %.40q", s)
	}
	le := binary.LittleEndian
	return vcpu{rip: le.Uint64(b[regRIP:]), rbp: le.Uint64(b[regRBP:]), cs: le.Uint32(b[regCS:]), cr3: le.Uint64(b[regCR3:])}, nil
}

// read64 reads a word of guest memory at a virtual address.
func (g *gdbStub) read64(addr uint64) (uint64, error) {
	s, err := g.cmd(fmt.Sprintf("m%x,8", addr))
	if err != nil {
		return 0, err
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 8 {
		return 0, fmt.Errorf("gdbstub: cannot read %#x: %.40q", addr, s)
	}
	return binary.LittleEndian.Uint64(b), nil
}
