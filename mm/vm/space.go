package vm

import (
	"errors"

	"warren.dev/mm/pagetable"
)

// Capacities of the fixed tables.
const (
	MaxAreas    = 1024
	MaxExcluded = 8
	PageSize    = 4096
)

// TLB invalidates stale translations after PTEs change: those of the
// pages in [start, end), or all of them. Each call is one batch, so an
// implementation that must tell other CPUs does so once per call.
type TLB interface {
	Invalidate(start, end uint64)
	Flush()
}

type noTLB struct{}

func (noTLB) Invalidate(uint64, uint64) {}
func (noTLB) Flush()                    {}

// Range is [Start, End).
type Range struct{ Start, End uint64 }

// Config describes an address space for Init.
type Config struct {
	Tables *pagetable.Tables     // already initialised
	Frames pagetable.FrameSource // data frames
	Mem    pagetable.PhysMem     // to zero data frames
	TLB    TLB                   // nil: nothing to invalidate (host tests)
	Lo, Hi uint64                // the user range [Lo, Hi), page aligned
	// Excluded ranges inside [Lo, Hi) are kernel-private: nothing is ever
	// mapped there and Access refuses them. Rounded out to pages.
	Excluded []Range
}

// ErrConfig reports an unusable Config.
var ErrConfig = errors.New("vm: invalid configuration")

// area is anonymous memory [start, end) with one protection.
type area struct {
	start, end uint64
	prot       uint8 // PROT_READ|PROT_WRITE|PROT_EXEC bits
}

// AddressSpace is one user address space. It is large (about 24 KiB) and
// meant to live in a static variable.
type AddressSpace struct {
	areas  [MaxAreas]area // sorted, disjoint, never two touching with equal prot
	n      int
	lo, hi uint64
	excl   [MaxExcluded]Range // sorted
	nexcl  int

	retained  [MaxRetained]Range // loaded segments (retain.go)
	nretained int

	pt     *pagetable.Tables
	frames pagetable.FrameSource
	mem    pagetable.PhysMem
	tlb    TLB

	resident uint64 // data pages currently mapped
	mapped   uint64 // bytes covered by areas
	ready    bool
}

// Init sets up an empty address space. Called at boot: it stores the
// pointers in cfg.
func (as *AddressSpace) Init(cfg Config) error {
	if cfg.Tables == nil || cfg.Frames == nil || cfg.Mem == nil || len(cfg.Excluded) > MaxExcluded ||
		cfg.Lo%PageSize != 0 || cfg.Hi%PageSize != 0 || cfg.Lo >= cfg.Hi ||
		!pagetable.Canonical(cfg.Lo) || !pagetable.Canonical(cfg.Hi-1) || cfg.Lo>>63 != (cfg.Hi-1)>>63 {
		return ErrConfig
	}
	*as = AddressSpace{lo: cfg.Lo, hi: cfg.Hi, pt: cfg.Tables, frames: cfg.Frames, mem: cfg.Mem, tlb: cfg.TLB}
	if as.tlb == nil {
		as.tlb = noTLB{}
	}
	for _, r := range cfg.Excluded {
		s, e := r.Start&^(PageSize-1), (r.End+PageSize-1)&^(PageSize-1)
		if e <= s {
			return ErrConfig
		}
		// Insertion sort keeps the table ordered for the placement search.
		i := as.nexcl
		for i > 0 && as.excl[i-1].Start > s {
			as.excl[i] = as.excl[i-1]
			i--
		}
		as.excl[i] = Range{s, e}
		as.nexcl++
	}
	as.ready = true
	return nil
}

// Stats are the address space's counters.
type Stats struct {
	Resident uint64 // pages backed by frames
	Mapped   uint64 // bytes covered by areas, PROT_NONE included
	Areas    int
}

// Stats reports the counters.
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Stats() Stats {
	return Stats{Resident: as.resident, Mapped: as.mapped, Areas: as.n}
}

// Area returns the i-th area in address order, for /proc/self/maps-style
// listings.
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Area(i int) (start, end uint64, prot int, ok bool) {
	if i < 0 || i >= as.n {
		return 0, 0, 0, false
	}
	a := as.areas[i]
	return a.start, a.end, int(a.prot), true
}

// excluded reports whether [s, e) touches an excluded range.
func (as *AddressSpace) excluded(s, e uint64) bool {
	_, hit := as.exclOverlap(s, e)
	return hit
}

// exclOverlap returns the lowest start of the excluded ranges overlapping
// [s, e).
func (as *AddressSpace) exclOverlap(s, e uint64) (uint64, bool) {
	for _, r := range as.excl[:as.nexcl] {
		if r.Start < e && s < r.End {
			return r.Start, true
		}
	}
	return 0, false
}

// invalidate drops stale TLB entries for [s, e): page by page when that is
// cheap, else all of them.
func (as *AddressSpace) invalidate(s, e uint64) {
	if (e-s)/PageSize > 32 {
		as.tlb.Flush()
		return
	}
	as.tlb.Invalidate(s, e)
}
