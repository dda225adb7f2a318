package initrd

import "errors"

// Errors returned by Count and Init. They are package variables, which the
// compiler lays out statically, so they exist before the Go runtime runs.
var (
	ErrTooLarge    = errors.New("initrd: archive larger than 4 GiB")
	ErrTruncated   = errors.New("initrd: archive ends inside a record")
	ErrMagic       = errors.New("initrd: record does not start with the newc magic 070701")
	ErrHeader      = errors.New("initrd: record header field is not hexadecimal")
	ErrName        = errors.New("initrd: file name is not NUL-terminated")
	ErrNameTooLong = errors.New("initrd: file name longer than PathMax")
	ErrFileType    = errors.New("initrd: unknown file type in mode")
	ErrNoTrailer   = errors.New("initrd: archive ends without a TRAILER!!! record")
	ErrNoSpace     = errors.New("initrd: more entries than the storage given to Init (use Count)")
	ErrRootNotDir  = errors.New("initrd: the archive's root entry is not a directory")
	ErrNotDir      = errors.New("initrd: a path lies below an entry that is not a directory")
)
