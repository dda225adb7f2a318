package sockets

import (
	"golang.org/x/sys/unix"
	"warren.dev/kernel"
)

// Handler serves one forwarded system call. It reaches the caller's memory
// only through l.caller(r) and keeps no reference to it after returning.
type Handler func(l *Layer, r *call) (uint64, unix.Errno)

// Support says how completely an entry implements the Linux call: the
// kernel's table's levels.
type Support = kernel.Support

const (
	Full    = kernel.Full
	Partial = kernel.Partial
	Stub    = kernel.Stub
)

// Entry describes one system call the layer serves.
type Entry struct {
	Nr      uint64
	Name    string
	Fn      Handler
	Support Support
	Note    string
}

// maxNr bounds the numbers the dispatch array holds.
const maxNr = 512

// dispatch is table indexed by number, built once.
var dispatch [maxNr]*Entry

func init() {
	if err := checkTable(table[:]); err != nil {
		panic(err)
	}
	for i := range table {
		dispatch[table[i].Nr] = &table[i]
	}
}

// tableError reports a malformed table.
type tableError struct {
	nr  uint64
	why string
}

func (e *tableError) Error() string { return "syscall table: " + e.why }

// checkTable rejects duplicates, numbers out of range, nil handlers and
// missing names.
func checkTable(t []Entry) error {
	var seen [maxNr]bool
	for _, e := range t {
		switch {
		case e.Nr >= maxNr:
			return &tableError{e.Nr, e.Name + ": number out of range"}
		case e.Fn == nil:
			return &tableError{e.Nr, e.Name + ": nil handler"}
		case e.Name == "":
			return &tableError{e.Nr, "entry without a name"}
		case seen[e.Nr]:
			return &tableError{e.Nr, e.Name + ": duplicate"}
		}
		seen[e.Nr] = true
	}
	return nil
}

// Syscalls returns the table, for documentation (warren syscalls).
func Syscalls() []Entry {
	return append([]Entry(nil), table[:]...)
}

func lookup(nr uint64) *Entry {
	if nr >= maxNr {
		return nil
	}
	return dispatch[nr]
}
