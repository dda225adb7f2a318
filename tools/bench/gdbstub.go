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

// The x86-64 registers in the order of a "g" reply without a target
// description, 8 bytes each.
const (
	regRBP = 6
	regRIP = 16
)

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

// regs reads the instruction and frame pointers of the stopped vCPU.
func (g *gdbStub) regs() (rip, rbp uint64, err error) {
	s, err := g.cmd("g")
	if err != nil {
		return 0, 0, err
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) < 8*(regRIP+1) {
		return 0, 0, fmt.Errorf("gdbstub: bad register reply %.40q", s)
	}
	return binary.LittleEndian.Uint64(b[8*regRIP:]), binary.LittleEndian.Uint64(b[8*regRBP:]), nil
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
