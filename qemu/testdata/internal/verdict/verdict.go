// Package verdict keeps the score of a QEMU test program (qemu/testdata):
// each failed check prints "PROG: FAIL: ..." and the program goes on, so
// one run names every failure; End prints "PROG: ok", or exits with
// status 1 after a failure. The tests in qemu/ assert on those lines and
// on the exit status.
package verdict

import (
	"fmt"
	"os"
	"sync/atomic"
)

// Verdict is the score of one program.
type Verdict struct {
	prog   string
	failed atomic.Bool
}

// New starts the score of the program named prog.
func New(prog string) *Verdict { return &Verdict{prog: prog} }

// Check fails the program, naming the failure, unless ok.
func (v *Verdict) Check(ok bool, format string, args ...any) {
	if !ok {
		v.failed.Store(true)
		fmt.Printf(v.prog+": FAIL: "+format+"\n", args...)
	}
}

// Must fails the program if err is not nil, naming what returned it.
func (v *Verdict) Must(err error, what string) { v.Check(err == nil, "%s: %v", what, err) }

// End exits with status 1 if a check failed, and otherwise prints
// "PROG: ok".
func (v *Verdict) End() {
	if v.failed.Load() {
		os.Exit(1)
	}
	fmt.Println(v.prog + ": ok")
}
