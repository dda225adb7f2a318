// Package loader, imported for its effect, makes the image's program
// serve execve calls (warren.dev/proc.ServeExec): its processes' and its
// own vfork children's, so that the program can start processes the way
// os/exec does. Without it, execve fails with ENOSYS. The warren tool
// imports it into images built with -selfexe and into test images;
// warren.dev/proc/init imports it.
package loader

import (
	"fmt"
	"os"

	"warren.dev/proc"
)

func init() {
	// Announced before main runs, so no execve of the program's fails
	// while the goroutine below has yet to start. Off Warren the call
	// does not exist.
	if proc.AnnounceExec() != nil {
		return
	}
	go func() {
		err := proc.ServeExec()
		fmt.Fprintf(os.Stderr, "warren: serving execve: %v\n", err)
	}()
}
