package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeStub answers like QEMU's gdbstub for a guest whose memory is given
// and whose registers at each stop come from regs.
func fakeStub(t *testing.T, regs func() vcpu, mem map[uint64]uint64) string {
	path := filepath.Join(t.TempDir(), "gdb.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		reply := func(s string) {
			sum := 0
			for i := 0; i < len(s); i++ {
				sum += int(s[i])
			}
			fmt.Fprintf(c, "$%s#%02x", s, sum&0xff)
		}
		for {
			b, err := r.ReadByte()
			if err != nil {
				return
			}
			switch b {
			case 3:
				reply("T02thread:01;")
				continue
			case '$':
			default:
				continue // acknowledgements
			}
			p, err := r.ReadString('#')
			if err != nil {
				return
			}
			r.Discard(2)
			c.Write([]byte{'+'})
			switch p = strings.TrimSuffix(p, "#"); {
			case p == "?":
				reply("S05")
			case p == "c":
			case p == "g":
				c, b := regs(), make([]byte, regsSize+8*8)
				binary.LittleEndian.PutUint64(b[regRIP:], c.rip)
				binary.LittleEndian.PutUint64(b[regRBP:], c.rbp)
				binary.LittleEndian.PutUint32(b[regCS:], c.cs)
				binary.LittleEndian.PutUint64(b[regCR3:], c.cr3)
				reply(hex.EncodeToString(b))
			case strings.HasPrefix(p, "m"):
				addr, _ := strconv.ParseUint(strings.TrimSuffix(p[1:], ",8"), 16, 64)
				v, ok := mem[addr]
				if !ok {
					reply("E14")
					continue
				}
				reply(hex.EncodeToString(binary.LittleEndian.AppendUint64(nil, v)))
			default:
				reply("")
			}
		}
	}()
	return path
}

func TestSampleGuest(t *testing.T) {
	syms := &symtab{addrs: []uint64{0x1000, 0x2000, 0x3000}, names: []string{"a", "b", "c"}}
	mem := map[uint64]uint64{
		0x8000: 0x8100, 0x8008: 0x2020, // a's frame: called from b
		0x8100: 0x8200, 0x8108: 0x3030, // b's frame: called from c
		0x8200: 0x8300, // c's frame: no readable return address, the walk ends
	}
	p := sample(t, &guestSyms{image: syms}, func() vcpu { return vcpu{rip: 0x1010, rbp: 0x8000, cs: 0x23, cr3: 0x5000} }, mem)
	if p.Samples == 0 || p.Self["a"] != p.Samples || p.Cum["b"] != p.Samples || p.Cum["c"] != p.Samples || p.Cum[inImage] != p.Samples || len(p.Cum) != 4 {
		t.Fatalf("profile %+v", p)
	}
	text := p.Text(10)
	if !strings.Contains(text, "self:\n 100.0%  a\n") || !strings.Contains(text, "cumulative:\n 100.0%  [ring 3: the program in the image]\n 100.0%  a\n 100.0%  b\n 100.0%  c\n") {
		t.Errorf("Text:\n%s", text)
	}
	if syms.name(0x10) != "0x10" || syms.name(0x2fff) != "b" {
		t.Error("symtab.name")
	}
}

// sample profiles a fake guest for 200 ms.
func sample(t *testing.T, syms *guestSyms, regs func() vcpu, mem map[uint64]uint64) *Profile {
	t.Helper()
	stub, err := dialStub(fakeStub(t, regs, mem))
	if err != nil {
		t.Fatal(err)
	}
	defer stub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	p, err := sampleGuest(ctx, stub, syms, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A ring-3 process's code shares addresses with the image: samples are
// told apart by privilege level and page-table root, and the alias is
// the image's.
func TestSampleGuestProcess(t *testing.T) {
	image := &symtab{addrs: []uint64{0x1000, 0x2000}, names: []string{"kernel.trap", "net.read"}}
	proc := &symtab{addrs: []uint64{0x1000}, names: []string{"main.main"}}
	const kernelCR3, procCR3 = 0x9000, 0x7000
	stops := []vcpu{
		{rip: 0x1004, cs: 0x23, cr3: procCR3},             // before the kernel's root is known: dropped
		{rip: 0x1004, cs: 0x08, cr3: kernelCR3},           // ring 0 on the kernel's tables
		{rip: aliasBase + 0x1004, cs: 0x08, cr3: procCR3}, // trap entry at the alias
		{rip: 0x1004, cs: 0x23, cr3: procCR3},             // the process
		{rip: 0x2004, cs: 0x23, cr3: kernelCR3},           // the program in the image
	}
	i := 0
	next := func() vcpu {
		c := stops[min(i, len(stops)-1)]
		i++
		return c
	}
	p := sample(t, &guestSyms{image: image, proc: proc}, next, nil)
	want := map[string]int{"kernel.trap": 2, "main.main": 1, inKernel: 2, inProcess: 1}
	for k, v := range want {
		if p.Cum[k] != v {
			t.Errorf("%s: %d samples, want %d (%+v)", k, p.Cum[k], v, p)
		}
	}
	if n := p.Cum["net.read"]; n != p.Samples-3 || n < 1 {
		t.Errorf("net.read: %d of %d samples", n, p.Samples)
	}
}

func TestLoadSymtab(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	// Test binaries are stripped; a program built as Warren's images are
	// keeps its symbols.
	exe := filepath.Join(t.TempDir(), "linuxinit")
	root, _ := filepath.Abs("../..")
	if out, err := goCommand(context.Background(), root, "build", "-o", exe, "./tools/bench/linuxinit").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	syms, err := loadSymtab(exe)
	if err != nil {
		t.Fatal(err)
	}
	var at uint64
	for i, n := range syms.names {
		if n == "main.configure" {
			at = syms.addrs[i]
		}
	}
	if at == 0 {
		t.Fatal("no main.configure in the symbol table")
	}
	if got := syms.name(at + 3); got != "main.configure" {
		t.Errorf("name = %q", got)
	}
}
