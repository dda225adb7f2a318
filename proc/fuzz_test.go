package proc

import (
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/proc/proctest"
)

// FuzzLoad feeds Load arbitrary files: it must never panic, and what it
// accepts must be laid out consistently.
func FuzzLoad(f *testing.F) {
	seeds := [][]byte{sharedPage().bytes(), proctest.Read(f, proctest.Go)}
	if _, err := exec.LookPath("gcc"); err == nil {
		seeds = append(seeds, proctest.Read(f, proctest.C), proctest.Read(f, proctest.CPIE))
	}
	for _, exe := range seeds {
		f.Add(exe)
		for _, n := range []int{16, 63, 64, 120, 64 + phentSize*3, 4096, len(exe) / 2} {
			if n < len(exe) {
				f.Add(exe[:n])
			}
		}
		// Corrupt the type, entry, phoff, phnum and the first program
		// headers' fields.
		for _, off := range []int{16, 24, 32, 56, 64, 68, 72, 80, 96, 104, 120, 136, 160} {
			if off < len(exe) {
				b := append([]byte(nil), exe...)
				b[off] ^= 0x5a
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, exe []byte) {
		mem := newFakeMemory()
		img, err := Load(mem, exe, []string{"/bin/fuzz"}, []string{"A=1"})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if mem.prot(img.Entry)&unix.PROT_EXEC == 0 {
			t.Errorf("entry %#x is not in executable memory", img.Entry)
		}
		if img.Stack%16 != 0 {
			t.Errorf("stack pointer %#x is not 16-byte aligned", img.Stack)
		}
	})
}
