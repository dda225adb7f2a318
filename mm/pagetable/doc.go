// Package pagetable builds and edits x86-64 4-level page tables.
//
// It reaches table frames through PhysMem (the kernel's direct map on the
// machine, a slice on the host) and gets new ones from a FrameSource, so it
// is plain Go that runs in kernel context and under go test. Tables are not
// safe for concurrent use, and flushing the TLB after a change is the
// caller's job.
//
// Invariant: apart from the root, no table is ever left without a present
// entry; operations that empty a table free it.
package pagetable
