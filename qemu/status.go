package qemu

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNoStatus means the machine stopped without the kernel writing an exit
// status to the isa-debug-exit port or printing its StatusLine: with
// -no-reboot a reset or a triple fault makes QEMU exit with 0.
var ErrNoStatus = errors.New("machine stopped without an exit status (reset or triple fault?)")

// StatusLine starts the console line in which the kernel gives the exit
// status before it powers off by a way that cannot carry it (ACPI S5, a
// reset: kernel/power.go's exitStatusLine), as on a machine without
// isa-debug-exit.
const StatusLine = "warren: exit status "

// Error is QEMU itself failing (bad arguments, a missing file, a crash).
type Error struct {
	Code   int    // QEMU's exit code
	Stderr string // what QEMU printed
}

func (e *Error) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = "(no message)"
	}
	return fmt.Sprintf("QEMU failed with exit code %d: %s", e.Code, msg)
}

// decodeExit turns QEMU's exit code into the program's exit status. The
// kernel writes v to isa-debug-exit and QEMU exits with (v<<1)|1, which the
// host truncates to 8 bits: statuses 0..127 come back intact, 128..255
// alias them. QEMU's own errors also exit with 1, which would read as
// status 0, so code 1 is the program's only when QEMU reported no error of
// its own on stderr (qemuFailed). Code 0, QEMU's own on a power-off or,
// with -no-reboot, a reset, gives the status of the console's last line
// when that is the kernel's StatusLine.
func decodeExit(code int, stderr string, output []byte) (int, error) {
	if status, ok := statusFromOutput(output); ok && code == 0 {
		return status, nil
	}
	switch {
	case code == 0 && strings.TrimSpace(stderr) != "":
		return 0, fmt.Errorf("%w; QEMU said: %s", ErrNoStatus, strings.TrimSpace(stderr))
	case code == 0:
		return 0, ErrNoStatus
	case code == 1 && qemuFailed(stderr):
		return 0, &Error{Code: code, Stderr: stderr}
	case code > 0 && code%2 == 1:
		return (code - 1) / 2, nil
	default:
		return 0, &Error{Code: code, Stderr: stderr}
	}
}

// qemuFailed reports whether QEMU printed an error, not just a warning.
// Its messages start with its program name ("qemu-system-x86_64: -kernel
// x: ...", "qemu-system-x86_64: -netdev ...: warning: ..."), or with
// "qemu:" in the -kernel loader ("qemu: invalid kernel header", "qemu:
// could not load kernel ..."); other lines on stderr, such as GLib's
// warnings from the user network, are not QEMU giving up.
func qemuFailed(stderr string) bool {
	for _, line := range strings.Split(stderr, "\n") {
		if (strings.HasPrefix(line, Binary+": ") || strings.HasPrefix(line, "qemu: ")) && !strings.Contains(line, " warning: ") {
			return true
		}
	}
	return false
}

// statusFromOutput reads the status in the last line of the console's
// output if that is the kernel's StatusLine.
func statusFromOutput(out []byte) (int, bool) {
	text := strings.TrimRight(string(out), "\r\n")
	last := text[strings.LastIndexByte(text, '\n')+1:]
	rest, ok := strings.CutPrefix(strings.TrimSuffix(last, "\r"), StatusLine)
	if !ok {
		return 0, false
	}
	status, err := strconv.Atoi(rest)
	if err != nil || status < 0 || status > 255 || strconv.Itoa(status) != rest {
		return 0, false
	}
	return status, true
}
