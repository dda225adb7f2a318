// Command init is the Warren program of an image built with
// `warren build -user`: it starts each static Linux executable the image
// lists in proc.ManifestPath as a process of its own, and when all have
// ended it exits with the status of the last to end, so the machine's exit
// status is that program's. It also loads what the processes execve
// (warren.dev/proc/loader).
//
// The processes' environment is the boot command line's NAME=VALUE
// variables: init's own, less GOMEMLIMIT, which the kernel sizes for
// init's Go runtime, and with GOMAXPROCS set for Go programs unless given.
// Arguments given to the image (after "--" on the command line) are
// appended to the program's if there is one program.
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"warren.dev/proc"
	_ "warren.dev/proc/loader" // serves the processes' execve
	"warren.dev/system"        // the network and the socket layer the processes' socket calls go to
)

// statusNotLoaded counts as the exit status of a program that could not
// be loaded, as a shell's for a command it cannot execute.
const statusNotLoaded = 126

func main() {
	cmds, err := readManifest()
	if err != nil {
		fmt.Fprintf(os.Stderr, "warren: %v\n", err)
		os.Exit(1)
	}
	cmds = withArgs(cmds, os.Args[1:])
	env := environ(os.Environ())
	ended := make(chan int, len(cmds))
	for _, c := range cmds {
		if p, err := start(c, env); err != nil {
			fmt.Fprintf(os.Stderr, "warren: %s: %v\n", c.Path, err)
			ended <- statusNotLoaded
		} else {
			go func() { ended <- wait(c.Path, p) }()
		}
	}
	status := 0
	for range cmds {
		status = <-ended
	}
	os.Exit(status)
}

func readManifest() ([]proc.Command, error) {
	data, err := os.ReadFile(proc.ManifestPath)
	if err != nil {
		return nil, fmt.Errorf("reading the list of programs: %w", err)
	}
	cmds, err := proc.DecodeManifest(data)
	if err == nil && len(cmds) == 0 {
		err = fmt.Errorf("%s lists no programs", proc.ManifestPath)
	}
	return cmds, err
}

// withArgs appends the image's arguments to its only program's; with more
// programs they are ignored, with a warning.
func withArgs(cmds []proc.Command, args []string) []proc.Command {
	switch {
	case len(args) == 0:
	case len(cmds) == 1:
		cmds[0].Args = append(cmds[0].Args, args...)
	default:
		fmt.Fprintf(os.Stderr, "warren: ignoring the arguments %q: the image runs %d programs\n", args, len(cmds))
	}
	return cmds
}

// environ is init's environment less what the kernel added for init's
// own Go runtime, plus GOMAXPROCS=system.SocketProcs unless it is set:
// a Go process's thread waits in its socket calls for init's socket
// layer, keeping its P, and with one P its other goroutines would wait
// for sysmon (measured with the benchmark's httpd binary in ring 3, on
// virtio-net: about 150 req/s with one P).
func environ(env []string) []string {
	var out []string
	procs := false
	for _, v := range env {
		procs = procs || strings.HasPrefix(v, "GOMAXPROCS=")
		if !strings.HasPrefix(v, "GOMEMLIMIT=") {
			out = append(out, v)
		}
	}
	if !procs {
		out = append(out, fmt.Sprintf("GOMAXPROCS=%d", system.SocketProcs))
	}
	return out
}

// start loads and starts c. The line saying so comes first, so that it
// precedes what the process prints.
func start(c proc.Command, env []string) (*proc.Process, error) {
	exe, err := os.ReadFile(c.Path)
	if err != nil {
		return nil, err
	}
	p, err := proc.New(c.Path, exe, c.Argv(), env)
	if err != nil {
		return nil, err
	}
	fmt.Printf("warren: started %s as process %d\n", c.Path, p.Pid)
	if err := p.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// wait waits for p to end and returns its exit status, a shell's: the
// exit code, or 128 + the number of the signal that killed it.
func wait(path string, p *proc.Process) int {
	ws, err := p.Wait()
	if err != nil {
		fmt.Fprintf(os.Stderr, "warren: %s: waiting for process %d: %v\n", path, p.Pid, err)
		return 1
	}
	return exitStatus(ws)
}

func exitStatus(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
