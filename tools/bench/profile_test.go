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

// fakeStub answers like QEMU's gdbstub for a guest whose registers and
// memory are given.
func fakeStub(t *testing.T, rip, rbp uint64, mem map[uint64]uint64) string {
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
				regs := make([]byte, 8*24)
				binary.LittleEndian.PutUint64(regs[8*regRIP:], rip)
				binary.LittleEndian.PutUint64(regs[8*regRBP:], rbp)
				reply(hex.EncodeToString(regs))
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
	stub, err := dialStub(fakeStub(t, 0x1010, 0x8000, mem))
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
	if p.Samples == 0 || p.Self["a"] != p.Samples || p.Cum["b"] != p.Samples || p.Cum["c"] != p.Samples || len(p.Cum) != 3 {
		t.Fatalf("profile %+v", p)
	}
	text := p.Text(10)
	if !strings.Contains(text, "self:\n 100.0%  a\n") || !strings.Contains(text, "cumulative:\n 100.0%  a\n 100.0%  b\n 100.0%  c\n") {
		t.Errorf("Text:\n%s", text)
	}
	if syms.name(0x10) != "0x10" || syms.name(0x2fff) != "b" {
		t.Error("symtab.name")
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
