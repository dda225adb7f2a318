package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"warren.dev/tools/bench"
	"warren.dev/tools/build"
)

func init() {
	commands = append(commands, &command{
		name: "bench",
		args: "[-runs N] [-nic LIST] [-mq N] [-m MEM] [-small MEM] [-d DUR] [-append ARGS] [-profile FILE] [-v] [-w README]",
		help: "Bench measures Warren against a Linux guest (Debian's kernel, the same Go\n" +
			"servers built as Linux programs) in QEMU with one vCPU, each NIC on a tap\n" +
			"device in a network namespace it makes (root needed): QEMU start to the\n" +
			"first HTTP 200, wrk's req/s and latency, TCP echo MB/s, image size and\n" +
			"memory, whether Warren serves with -small of RAM, and how late\n" +
			"time.Sleep returns in Warren (examples/runtime). The servers are Warren's\n" +
			"examples on its socket API and an unmodified service (examples/plainhttp),\n" +
			"which Warren runs built into the image and as a ring-3 process. Around\n" +
			"each measured wrk run it reads both guests' counters (warren.stats=PORT;\n" +
			"/proc on Linux) and reports what a request cost. It prints a Markdown\n" +
			"table of medians, or writes it into README between the bench-table\n" +
			"markers. Needs wrk, iproute2, apt-get and dpkg-deb; the kernel package\n" +
			"is cached in $XDG_CACHE_HOME/warren-bench.\n\n",
		flags: func() *flag.FlagSet { return benchFlags(new(benchOpts)) },
		run:   runBench,
	})
}

type benchOpts struct {
	cfg     bench.Config
	nics    string
	only    string
	w       string
	verbose bool
}

func benchFlags(o *benchOpts) *flag.FlagSet {
	o.cfg = bench.DefaultConfig()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&o.cfg.Runs, "runs", o.cfg.Runs, "boots per guest, NIC and figure")
	fs.StringVar(&o.nics, "nic", strings.Join(o.cfg.NICs, ","), "comma-separated QEMU NIC models")
	fs.IntVar(&o.cfg.Queues, "mq", 0, "virtio-net queue pairs on a multi-queue tap, for both guests (0: one queue; needs -nic virtio-net-pci and -only without microvm)")
	fs.StringVar(&o.cfg.Memory, "m", o.cfg.Memory, "guest memory of both guests")
	fs.IntVar(&o.cfg.CPUs, "smp", o.cfg.CPUs, "vCPUs of both guests; with -w, the table of this count is replaced (its own markers)")
	fs.StringVar(&o.cfg.Small, "small", o.cfg.Small, "small guest memory Warren must serve with (empty: skip)")
	fs.DurationVar(&o.cfg.Load.Duration, "d", o.cfg.Load.Duration, "wrk duration")
	fs.IntVar(&o.cfg.Load.Threads, "t", o.cfg.Load.Threads, "wrk threads")
	fs.IntVar(&o.cfg.Load.Conns, "c", o.cfg.Load.Conns, "wrk connections")
	fs.DurationVar(&o.cfg.Warmup, "warmup", o.cfg.Warmup, "wrk warm-up before each measured run (0: none)")
	fs.Int64Var(&o.cfg.EchoBytes, "echo-bytes", o.cfg.EchoBytes, "bytes sent through the TCP echo server")
	fs.StringVar(&o.cfg.Append, "append", "", "more of Warren's boot command line, e.g. GOMAXPROCS=1")
	fs.StringVar(&o.only, "only", "", "comma-separated parts to measure (default all): "+strings.Join(bench.Parts, ", "))
	fs.StringVar(&o.cfg.Profile, "profile", "", "also sample a Warren service under load through QEMU's gdbstub and write the profile to `file` (with -runs 0: only that)")
	fs.StringVar(&o.cfg.ProfileOf, "profile-of", bench.ProfileHTTPD, "the service -profile samples: "+strings.Join(bench.ProfileTargets, ", "))
	fs.BoolVar(&o.verbose, "v", false, "print each measured wrk report and every guest counter it moved, per request")
	fs.StringVar(&o.w, "w", "", "write the table into `file` (a README) between the bench-table markers")
	return fs
}

func parseBench(e *env, args []string) (*benchOpts, error) {
	o := new(benchOpts)
	fs := benchFlags(o)
	if err := parseFlags(fs, e, args); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		return nil, usageError(e, "bench", "unexpected argument %q", fs.Arg(0))
	}
	if o.cfg.Queues < 0 {
		return nil, usageError(e, "bench", "-mq %d: want a queue pair count", o.cfg.Queues)
	}
	if o.cfg.CPUs < 1 {
		return nil, usageError(e, "bench", "-smp %d: want at least 1", o.cfg.CPUs)
	}
	if o.cfg.Runs < 0 || o.cfg.Runs == 0 && o.cfg.Profile == "" || o.cfg.Load.Duration < time.Second || o.cfg.EchoBytes < 1 {
		return nil, usageError(e, "bench", "-runs (0 only with -profile), -d and -echo-bytes must be positive (-d at least 1s)")
	}
	if !slices.Contains(bench.ProfileTargets, o.cfg.ProfileOf) {
		return nil, usageError(e, "bench", "-profile-of %q: want one of %s", o.cfg.ProfileOf, strings.Join(bench.ProfileTargets, ", "))
	}
	o.cfg.NICs = strings.Split(o.nics, ",")
	if o.only != "" {
		o.cfg.Only = strings.Split(o.only, ",")
		for _, p := range o.cfg.Only {
			if !slices.Contains(bench.Parts, p) {
				return nil, usageError(e, "bench", "-only: no part %q (want some of %s)", p, strings.Join(bench.Parts, ", "))
			}
		}
	}
	o.cfg.Command = strings.TrimSpace("warren bench " + strings.Join(args, " "))
	return o, nil
}

func runBench(ctx context.Context, e *env, args []string) (int, error) {
	o, err := parseBench(e, args)
	if err != nil {
		return 0, err
	}
	if o.cfg.Root, err = build.FindRoot(); err != nil {
		return 0, err
	}
	o.cfg.Log = e.stderr
	if o.verbose {
		o.cfg.Verbose = e.stderr
	}
	rep, err := bench.Run(ctx, o.cfg)
	if err != nil {
		if rep != nil {
			fmt.Fprint(e.stderr, rep.Markdown())
		}
		return 0, err
	}
	table := rep.Markdown()
	if o.w == "" {
		fmt.Fprint(e.stdout, table)
		return 0, nil
	}
	doc, err := os.ReadFile(o.w)
	if err != nil {
		return 0, err
	}
	out, err := bench.ReplaceSection(string(doc), table, o.cfg.CPUs)
	if err != nil {
		return 0, err
	}
	fmt.Fprint(e.stdout, table)
	return 0, os.WriteFile(o.w, []byte(out), 0o644)
}
