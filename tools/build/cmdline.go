package build

import (
	"fmt"
	"strings"
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
