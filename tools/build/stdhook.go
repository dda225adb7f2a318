package build

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
)

// The program in a Warren image serves its own socket calls on
// non-blocking sockets without a trap (docs/socket-path.md). The overlay
// gives package syscall a file of wrappers that ask a hook first
// (stdhook/sockets_linux.go.in) and renames the wrappers they replace in
// a copy of zsyscall_linux_amd64.go.

//go:embed stdhook/sockets_linux.go.in
var stdSocketHook []byte

// Names of the files the syscall overlay adds or replaces.
const (
	stdHookFile = "zz_warren_sockets_linux.go"
	stdZsyscall = "zsyscall_linux_amd64.go"
)

// hookedWrappers maps each wrapper of zsyscall_linux_amd64.go that the
// hook file replaces to the name the original takes.
var hookedWrappers = map[string]string{
	"read": "readTrap", "write": "writeTrap", "accept4": "accept4Trap", "bind": "bindTrap",
	"connect": "connectTrap", "getsockopt": "getsockoptTrap", "setsockopt": "setsockoptTrap",
	"Listen": "listenTrap", "Shutdown": "shutdownTrap", "recvfrom": "recvfromTrap",
	"sendto": "sendtoTrap", "recvmsg": "recvmsgTrap", "sendmsg": "sendmsgTrap",
	"Splice": "spliceTrap",
}

// renameWrappers renames the hooked wrappers in the source of
// zsyscall_linux_amd64.go. A toolchain whose syscall package differs is
// an error, not a silently unhooked call.
func renameWrappers(src []byte) ([]byte, error) {
	decls := make(map[string]string, len(hookedWrappers))
	for name, to := range hookedWrappers {
		decls["func "+name+"("] = "func " + to + "("
	}
	out, err := editLines(stdZsyscall, src, decls)
	if err != nil {
		return nil, fmt.Errorf("%w: this toolchain's syscall package is not the one Warren's socket hook was written for", err)
	}
	return out, nil
}

// stdHookOverlay returns the overlay entries of the socket hook, writing
// the renamed zsyscall file to tmp.
func stdHookOverlay(tmp, goroot string) (map[string]string, error) {
	dir := filepath.Join(goroot, "src", "syscall")
	src, err := os.ReadFile(filepath.Join(dir, stdZsyscall))
	if err != nil {
		return nil, fmt.Errorf("build: the socket hook needs the toolchain's syscall sources: %w", err)
	}
	renamed, err := renameWrappers(src)
	if err != nil {
		return nil, err
	}
	zs := filepath.Join(tmp, stdZsyscall)
	hook := filepath.Join(tmp, stdHookFile)
	if err := os.WriteFile(zs, renamed, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(hook, stdSocketHook, 0o644); err != nil {
		return nil, err
	}
	return map[string]string{filepath.Join(dir, stdZsyscall): zs, filepath.Join(dir, stdHookFile): hook}, nil
}
