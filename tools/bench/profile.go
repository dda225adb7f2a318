package bench

import (
	"context"
	"debug/elf"
	"fmt"
	"sort"
	"strings"
	"time"
)

// symtab maps addresses of an image to function names.
type symtab struct {
	addrs []uint64
	names []string
}

func loadSymtab(path string) (*symtab, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return nil, err
	}
	sort.Slice(syms, func(i, j int) bool { return syms[i].Value < syms[j].Value })
	st := &symtab{}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
			st.addrs = append(st.addrs, s.Value)
			st.names = append(st.names, s.Name)
		}
	}
	return st, nil
}

// name is the function holding pc.
func (s *symtab) name(pc uint64) string {
	i := sort.Search(len(s.addrs), func(i int) bool { return s.addrs[i] > pc }) - 1
	if i < 0 {
		return fmt.Sprintf("%#x", pc)
	}
	return s.names[i]
}

// Profile counts where sampled stacks were: the function running (self)
// and every function on the stack (cumulative).
type Profile struct {
	Samples   int
	Self, Cum map[string]int
}

// maxFrames bounds the frame-pointer walk of one sample.
const maxFrames = 32

// aliasBase is where every address space maps the image a second time,
// supervisor-only (kernel/alias.go); the trap entry code runs there.
const aliasBase = 0xffff_ff80_0000_0000

// Where a sample stopped: the last frame of every stack, so that the
// cumulative list says how the time divides.
const (
	inKernel  = "[ring 0: the kernel]"
	inImage   = "[ring 3: the program in the image]"
	inProcess = "[ring 3: the process]"
)

// guestSyms names the code a sample stopped in. The image (the kernel and
// the program built into it) runs on the kernel's page tables, except the
// trap entry, which runs at the image's alias in any address space; a
// ring-3 process's code lies at addresses the image also uses (static
// executables load at 0x400000), so its samples are told apart by CR3.
type guestSyms struct {
	image *symtab
	proc  *symtab // nil: the profile has no process
	// kernelCR3 is the kernel's page-table root, learnt from the first
	// sample in ring 0 outside the alias (which runs on the kernel's
	// tables); 0 until then.
	kernelCR3 uint64
}

// resolve says whose code c stopped in and how to name its addresses;
// ok is false for a ring-3 sample that cannot be placed yet.
func (g *guestSyms) resolve(c vcpu) (where string, name func(uint64) string, ok bool) {
	image := func(pc uint64) string {
		if pc >= aliasBase {
			pc -= aliasBase
		}
		return g.image.name(pc)
	}
	if c.cs&3 == 0 {
		if g.kernelCR3 == 0 && c.rip < aliasBase {
			g.kernelCR3 = c.cr3
		}
		return inKernel, image, true
	}
	switch {
	case g.proc == nil:
		return inImage, image, true
	case g.kernelCR3 == 0:
		return "", nil, false
	case c.cr3 == g.kernelCR3:
		return inImage, image, true
	}
	return inProcess, g.proc.name, true
}

// sampleGuest stops the guest every interval until ctx ends and records
// its stack: the instruction pointer, then return addresses along the
// frame-pointer chain (Go keeps frame pointers on amd64).
func sampleGuest(ctx context.Context, stub *gdbStub, syms *guestSyms, interval time.Duration) (*Profile, error) {
	p := &Profile{Self: map[string]int{}, Cum: map[string]int{}}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return p, nil
		case <-tick.C:
		}
		if err := stub.interrupt(); err != nil {
			return p, err
		}
		frames, err := stack(stub, syms)
		if err != nil {
			return p, err
		}
		if err := stub.cont(); err != nil {
			return p, err
		}
		if frames != nil {
			p.add(frames)
		}
	}
}

// stack walks the stopped guest's frames, ending with where it stopped;
// nil for a sample that cannot be placed.
func stack(stub *gdbStub, syms *guestSyms) ([]string, error) {
	c, err := stub.regs()
	if err != nil {
		return nil, err
	}
	where, name, ok := syms.resolve(c)
	if !ok {
		return nil, nil
	}
	frames := []string{name(c.rip)}
	for fp := c.rbp; len(frames) < maxFrames && fp != 0; {
		ret, err := stub.read64(fp + 8)
		if err != nil || ret == 0 {
			break // the end of the chain, or a frame without one
		}
		frames = append(frames, name(ret))
		next, err := stub.read64(fp)
		if err != nil || next <= fp {
			break
		}
		fp = next
	}
	return append(frames, where), nil
}

func (p *Profile) add(frames []string) {
	p.Samples++
	p.Self[frames[0]]++
	seen := map[string]bool{}
	for _, f := range frames {
		if !seen[f] {
			p.Cum[f]++
			seen[f] = true
		}
	}
}

// Text lists the top n functions by self and by cumulative share.
func (p *Profile) Text(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d samples\n\nself:\n", p.Samples)
	writeTop(&b, p.Self, p.Samples, n)
	b.WriteString("\ncumulative:\n")
	writeTop(&b, p.Cum, p.Samples, n)
	return b.String()
}

func writeTop(b *strings.Builder, m map[string]int, total, n int) {
	type kv struct {
		name  string
		count int
	}
	var l []kv
	for k, v := range m {
		l = append(l, kv{k, v})
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].count != l[j].count {
			return l[i].count > l[j].count
		}
		return l[i].name < l[j].name
	})
	for i := 0; i < len(l) && i < n; i++ {
		fmt.Fprintf(b, "%6.1f%%  %s\n", 100*float64(l[i].count)/float64(total), l[i].name)
	}
}
