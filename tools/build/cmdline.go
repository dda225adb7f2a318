package build

import (
	"fmt"
	"strings"

	"warren.dev/boot/multiboot"
)

// JoinArgs joins program arguments into a kernel command line. The kernel
// splits it at white space (multiboot.IsSpace) and honours double quotes,
// with no escape character: an argument containing white space (or empty)
// is quoted, and one containing a double quote or a line break cannot be
// passed.
func JoinArgs(args []string) (string, error) {
	var b strings.Builder
	for i, a := range args {
		if strings.ContainsAny(a, "\"\n\r") {
			return "", fmt.Errorf("argument %q cannot be passed on the kernel command line (it contains a double quote or a newline)", a)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if a == "" || strings.IndexFunc(a, func(r rune) bool { return r < 0x80 && multiboot.IsSpace(byte(r)) }) >= 0 {
			b.WriteString(`"` + a + `"`)
		} else {
			b.WriteString(a)
		}
	}
	return b.String(), nil
}

// SplitCmdline splits a kernel command line as the kernel does, with the
// kernel's own tokenizer: the inverse of JoinArgs.
func SplitCmdline(s string) []string {
	var args []string
	rest := []byte(s)
	for {
		var tok []byte
		tok, rest = multiboot.NextToken(rest)
		if len(tok) == 0 {
			return args
		}
		n, _ := multiboot.Unquote(tok, tok) // len(tok) bytes always suffice
		args = append(args, string(tok[:n]))
	}
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
