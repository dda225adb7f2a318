// Command warren builds Go programs into bootable Warren images and runs
// them, and their tests, in QEMU. An image can also run static Linux
// executables as processes (build -user), their files in IMAGE.initrd.
//
//	warren build [-o IMAGE] [-format elf|iso|raw|qcow2|containerdisk] [-append ARGS] PKG
//	warren build [-o IMAGE] [-format FORMAT] [-append ARGS] -user 'FILE [ARG...]' [-user ...]
//	warren run [-m MEM] [-append ARGS] [-nic MODEL] [-fwd HOST:GUEST] [-timeout D] IMAGE|ISO|DISK|PKG [ARG...]
//	warren test [-m MEM] [-timeout D] [-short] [-run RE] [-v] [-count N] [-bench RE] PKG... [-- ARG...]
//	warren bench [-runs N] [-nic MODELS] [-w README.md] ...
//	warren stdtest [-m MEM] [-timeout D] [-w README.md] [PKG...]
//	warren syscalls [-w README.md]
//	warren help [COMMAND]
//
// The Warren source tree is found from $WARREN_ROOT, else the directory
// baked in by `make warren`, else by walking up from the current directory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes of the tool itself (warren run exits with the program's).
const (
	exitFail  = 1 // something went wrong
	exitUsage = 2 // bad command line
)

// errUsage marks command-line errors; the message has been printed.
var errUsage = errors.New("usage")

// command is one subcommand.
type command struct {
	name, args, help string
	flags            func() *flag.FlagSet // for help
	run              func(ctx context.Context, env *env, args []string) (int, error)
}

// env is what a command talks to; tests replace it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

var commands []*command // filled in by init functions of each command's file

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{os.Stdin, os.Stdout, os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "-help" || name == "--help" {
		return help(e, args[1:])
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(e.stderr, "warren: unknown command %q\nRun 'warren help' for usage.\n", name)
		return exitUsage
	}
	code, err := cmd.run(ctx, e, args[1:])
	switch {
	case errors.Is(err, errUsage):
		return exitUsage
	case err != nil:
		fmt.Fprintf(e.stderr, "warren %s: %v\n", name, err)
		return exitFail
	}
	return code
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// parseFlags parses args with fs. A bad flag is reported (the flag
// package's message names it) and becomes errUsage.
func parseFlags(fs *flag.FlagSet, e *env, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		help(&env{stdout: e.stderr, stderr: e.stderr}, []string{fs.Name()})
		return errUsage
	case err != nil:
		fmt.Fprintf(e.stderr, "warren %s: %v\nRun 'warren help %s' for usage.\n", fs.Name(), err, fs.Name())
		return errUsage
	}
	return nil
}

// usageError reports a bad command line that is not about a flag.
func usageError(e *env, cmd, format string, args ...any) error {
	fmt.Fprintf(e.stderr, "warren %s: %s\nRun 'warren help %s' for usage.\n", cmd, fmt.Sprintf(format, args...), cmd)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, "Warren builds Go programs into bootable x86-64 images and runs them in QEMU.\n\nUsage:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "\twarren %s %s\n", c.name, c.args)
	}
	fmt.Fprint(w, "\twarren help [command]\n\nThe Warren tree is $WARREN_ROOT, the one baked in by 'make warren', or the one\nholding the current directory. QEMU's accelerator can be forced with\nWARREN_ACCEL=tcg|kvm.\n")
}

func help(e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stdout)
		return 0
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(e.stderr, "warren help: unknown command %q\n", args[0])
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "usage: warren %s %s\n\n%s", c.name, c.args, c.help)
	fs := c.flags()
	fs.SetOutput(e.stdout)
	fs.PrintDefaults()
	return 0
}
