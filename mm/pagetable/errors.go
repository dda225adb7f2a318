package pagetable

import "errors"

// Sentinel errors; they are package variables so returning them does not
// allocate.
var (
	ErrNotReady     = errors.New("pagetable: not initialised")
	ErrNonCanonical = errors.New("pagetable: non-canonical address")
	ErrMisaligned   = errors.New("pagetable: misaligned address or length")
	ErrSize         = errors.New("pagetable: unsupported page size")
	ErrFlags        = errors.New("pagetable: invalid flags")
	ErrPhysAddr     = errors.New("pagetable: physical address out of range")
	ErrRange        = errors.New("pagetable: invalid range")
	ErrExists       = errors.New("pagetable: smaller pages already mapped there")
	ErrNotMapped    = errors.New("pagetable: not mapped")
	ErrNoFrames     = errors.New("pagetable: out of frames")
)
