package proc

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// A pageRun is page-aligned memory with one protection.
type pageRun struct {
	start, end uint64
	prot       int
}

// pageRuns returns the pages the segments touch, with the protection each
// page needs: a page shared by the end of one segment and the start of the
// next gets the union of theirs, as Linux's mappings of both would give.
// The segments are sorted and disjoint, so a segment can share only its
// first page with what comes before it.
func pageRuns(segs []Segment) []pageRun {
	var runs []pageRun
	for _, s := range segs {
		lo, hi := pageDown(s.Addr), pageUp(s.end())
		if n := len(runs); n > 0 && runs[n-1].end > lo {
			if runs[n-1].start < lo { // split the shared page off
				runs[n-1].end = lo
				runs = append(runs, pageRun{lo, lo + PageSize, runs[n-1].prot})
			}
			runs[len(runs)-1].prot |= s.Prot
			lo += PageSize
		}
		if lo < hi {
			runs = append(runs, pageRun{lo, hi, s.Prot})
		}
	}
	return runs
}

// mapSegments loads the segments into mem: maps their pages writable,
// writes the file bytes (the rest stays zero), then sets the protections.
func mapSegments(mem Memory, segs []Segment) error {
	runs := pageRuns(segs)
	for _, r := range runs {
		if err := mem.Map(r.start, r.end-r.start, unix.PROT_READ|unix.PROT_WRITE); err != nil {
			return fmt.Errorf("mapping [%#x, %#x): %w", r.start, r.end, err)
		}
	}
	for _, s := range segs {
		if len(s.Data) == 0 {
			continue
		}
		if err := mem.Write(s.Addr, s.Data); err != nil {
			return fmt.Errorf("writing the segment at %#x: %w", s.Addr, err)
		}
	}
	for _, r := range runs {
		if err := mem.Protect(r.start, r.end-r.start, r.prot); err != nil {
			return fmt.Errorf("protecting [%#x, %#x): %w", r.start, r.end, err)
		}
	}
	return nil
}
