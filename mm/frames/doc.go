// Package frames allocates 4 KiB physical page frames from a bitmap.
//
// The bitmap lives in caller-provided storage (on the machine it is carved
// out of RAM before any allocator exists), so the allocator itself never
// touches the Go heap and can run in kernel context. It is not safe for
// concurrent use: callers serialise access.
package frames
