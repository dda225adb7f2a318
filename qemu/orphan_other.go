//go:build !linux

package qemu

import "os/exec"

// dieWithParent: only Linux offers a parent-death signal.
func dieWithParent(*exec.Cmd) {}
