package build

import (
	"fmt"
	"strings"

	"warren.dev/boot/multiboot"
)

// JoinArgs joins program arguments into a kernel command line. The kernel
// splits it at spaces and tabs and honours double quotes, with no escape
// character: an argument containing white space (or empty) is quoted, and
// one containing a double quote or a newline cannot be passed.
func JoinArgs(args []string) (string, error) {
	var b strings.Builder
	for i, a := range args {
		if strings.ContainsAny(a, "\"\n\r") {
			return "", fmt.Errorf("argument %q cannot be passed on the kernel command line (it contains a double quote or a newline)", a)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if a == "" || strings.ContainsAny(a, " \t") {
			b.WriteString(`"` + a + `"`)
		} else {
			b.WriteString(a)
		}
	}
	return b.String(), nil
}

// SplitCmdline splits a kernel command line as the kernel does: the inverse
// of JoinArgs.
func SplitCmdline(s string) []string {
	var (
		args   []string
		cur    strings.Builder
		quoted bool // inside double quotes
		inArg  bool // a token has started (even an empty quoted one)
	)
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inArg = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

// ArgsSeparator ends the kernel's part of the command line: the kernel
// reads warren.NAME=VALUE as a boot option and NAME=VALUE as an
// environment variable, and every token after it as a program argument.
const ArgsSeparator = "--"

// Cmdline builds a kernel command line from boot options and environment
// variables (opts) and program arguments (args, after ArgsSeparator, so
// that none is taken for an option or a variable).
func Cmdline(opts, args []string) (string, error) {
	all := opts
	if len(args) > 0 {
		all = append(append(append([]string(nil), opts...), ArgsSeparator), args...)
	}
	return JoinArgs(all)
}

// CheckCmdline returns an error naming the limit, multiboot.MaxCmdline, if
// the kernel could not take cmdline as the boot loader hands it over.
// image is the path QEMU's -kernel is given, which it puts with a space
// before the command line, or "" for GRUB, which passes the command line
// alone.
func CheckCmdline(image, cmdline string) error {
	n := len(cmdline)
	if image != "" {
		n += len(image) + 1
	}
	if n <= multiboot.MaxCmdline {
		return nil
	}
	if image != "" {
		return fmt.Errorf("boot command line too long: %d bytes with the image path QEMU puts first (%d bytes); the kernel takes at most %d", n, len(image)+1, multiboot.MaxCmdline)
	}
	return fmt.Errorf("boot command line too long: %d bytes; the kernel takes at most %d", n, multiboot.MaxCmdline)
}
