package vm

import "warren.dev/mm/pagetable"

// FaultResult is the outcome of a user page fault.
type FaultResult int

// Fault outcomes.
const (
	Mapped FaultResult = iota + 1 // the access can be retried
	MapErr                        // no area there: SIGSEGV, SEGV_MAPERR
	AccErr                        // the area forbids the access: SEGV_ACCERR
	OOM                           // no frame to back the page
)

func (r FaultResult) String() string {
	switch r {
	case Mapped:
		return "mapped"
	case MapErr:
		return "SEGV_MAPERR"
	case AccErr:
		return "SEGV_ACCERR"
	case OOM:
		return "out of memory"
	}
	return "invalid"
}

// Fault handles a user-mode page fault at addr: if an area allows the
// access, the page is backed with a zeroed frame. A fault on a page that is
// already present with the right permission (another CPU's stale TLB) is
// Mapped as well.
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Fault(addr uint64, write, exec bool) FaultResult {
	if !as.ready {
		return MapErr
	}
	va := addr &^ (PageSize - 1)
	i := as.find(va)
	if i >= as.n || as.areas[i].start > va {
		return MapErr
	}
	prot := as.areas[i].prot
	if !allows(prot, write, exec) {
		return AccErr
	}
	if _, _, f, ok := as.pt.Lookup(va); ok {
		if !pteAllows(f, write, exec) {
			// Not reachable while PTEs follow their areas; repair rather
			// than loop on the fault.
			if as.pt.SetFlags(va, pteFlags(prot)) != nil {
				return OOM
			}
		}
		as.tlb.Invalidate(va, va+PageSize)
		return Mapped
	}
	pa, ok := as.frames.AllocFrame()
	if !ok {
		return OOM
	}
	*as.mem.Table(pa) = [512]uint64{}
	if err := as.pt.Map(va, pa, pagetable.Size4K, pteFlags(prot)); err != nil {
		as.frames.FreeFrame(pa) // no frame for a page table
		return OOM
	}
	as.resident++
	return Mapped
}
