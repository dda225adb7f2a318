// Package bench measures Warren against a Linux guest running the same Go
// servers, both in QEMU with one vCPU and a NIC on a tap device inside a
// network namespace the benchmark makes: time from QEMU's start to the
// first HTTP 200, HTTP requests per second and latency under wrk, TCP echo
// throughput, image size and memory in use; and, for Warren alone, how late
// time.Sleep returns (examples/runtime). The Linux guest is Debian's
// kernel with an initramfs whose /init (linuxinit) starts the examples
// built as ordinary Linux programs (warren.dev/net replaced by netshim).
//
// The servers are Warren's examples on its in-program netstack API (httpd,
// echo) and an unmodified service (examples/plainhttp, no Warren import),
// which Warren runs both built into the image and as a ring-3 process.
// Around each measured wrk run the benchmark reads both guests' counters
// (Warren's warren.stats=PORT page, Linux's /proc through linuxinit) and
// reports what a request cost (counters.go).
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// Config says what to measure.
type Config struct {
	Root      string        // the Warren tree
	Runs      int           // boots per guest, figure and NIC
	NICs      []string      // QEMU NIC models
	Memory    string        // guest RAM of both guests
	CPUs      int           // vCPUs of both guests (0: one)
	Queues    int           // virtio-net queue pairs on a multi-queue tap, both guests (0 or 1: one queue)
	Small     string        // a second, small RAM size Warren must serve with ("": skip)
	Load      WrkLoad       // the HTTP load
	Warmup    time.Duration // wrk before the measured run, same load
	EchoBytes int64         // bytes sent through the TCP echo server
	Cache     string        // downloads ("": CacheDir)
	Append    string        // more of Warren's boot command line (GOMAXPROCS=1, ...)
	Only      []string      // the parts of Parts to measure (nil: all)
	Profile   string        // write a profile of a Warren service under load here ("": none)
	ProfileOf string        // which service: ProfileHTTPD (""), ProfileUnmodified or ProfileRing3
	Log       io.Writer     // progress
	Verbose   io.Writer     // each measured wrk report and every counter it moved (nil: none)
	Command   string        // the command line, for the report
}

// Parts names what a benchmark measures, for Config.Only: Warren's
// examples on its socket API, the unmodified service in the image and as
// a ring-3 process, the Linux guest, serving with little memory,
// time.Sleep's lateness, booting on QEMU's microvm machine, and how
// CPU-bound work scales with the vCPUs.
var Parts = []string{"httpd", "echo", "unmodified", "ring3", "linux", "small", "sleep", "microvm", "scaling", "smpboot"}

// cpus is the guests' vCPU count.
func (cfg *Config) cpus() int { return max(cfg.CPUs, 1) }

// measures reports whether cfg measures part.
func (cfg *Config) measures(part string) bool {
	return cfg.Only == nil || slices.Contains(cfg.Only, part)
}

// DefaultConfig is the benchmark the README's table comes from.
func DefaultConfig() Config {
	return Config{
		Runs:      3,
		NICs:      []string{"virtio-net-pci", "e1000"},
		Memory:    "256M",
		CPUs:      1,
		Small:     "32M",
		Load:      WrkLoad{Threads: 2, Conns: 32, Duration: 10 * time.Second},
		Warmup:    2 * time.Second,
		EchoBytes: 64 << 20,
		Log:       io.Discard,
	}
}

// Timeouts for one boot.
const (
	bootTimeout      = 3 * time.Minute
	smallBootTimeout = 2 * time.Minute
)

// runner holds what every measurement uses.
type runner struct {
	cfg     Config
	ns      *qemu.Netns
	wrapper string
	httpd   string // Warren images
	echo    string
	runtime string
	smpwork string
	unmod   string // examples/plainhttp built by warren build
	// unmodUser runs the Linux guest's plainhttp binary as a ring-3
	// process; its programs travel in unmodUser+".initrd".
	unmodUser string
	linux     *Linux
}

// Run builds the images, makes the namespace and measures.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Runs < 1 && cfg.Profile == "" || cfg.Runs < 0 || len(cfg.NICs) == 0 {
		return nil, errors.New("bench: nothing to run")
	}
	// A multi-queue tap takes only a NIC that opens as many queues: a
	// virtio-net-pci (microvm's virtio-mmio NIC has no MSI-X vectors).
	if cfg.Queues > 1 && (slices.ContainsFunc(cfg.NICs, func(n string) bool { return n != "virtio-net-pci" }) || cfg.measures("microvm")) {
		return nil, errors.New("bench: multiqueue needs the NIC virtio-net-pci alone and no microvm part")
	}
	for _, tool := range []string{qemu.Binary, "wrk", "ip", "apt-get", "dpkg-deb"} {
		if _, err := lookPath(tool); err != nil {
			return nil, err
		}
	}
	if cfg.Cache == "" {
		var err error
		if cfg.Cache, err = CacheDir(); err != nil {
			return nil, err
		}
	}
	tmp, err := os.MkdirTemp("", "warren-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	version := treeVersion(cfg.Root)
	r := &runner{cfg: cfg, httpd: filepath.Join(tmp, "httpd.elf"), echo: filepath.Join(tmp, "echo.elf"), runtime: filepath.Join(tmp, "runtime.elf"),
		smpwork: filepath.Join(tmp, "smpwork.elf"), unmod: filepath.Join(tmp, "plainhttp.elf")}
	fmt.Fprintf(cfg.Log, "bench: building the Warren images and the Linux guest\n")
	bc := build.Config{Root: cfg.Root, Dir: cfg.Root}
	for img, pkg := range map[string]string{r.httpd: "./examples/httpd", r.echo: "./examples/echo", r.runtime: "./examples/runtime", r.smpwork: smpworkPkg, r.unmod: unmodPkg} {
		if _, err := build.Build(ctx, bc, pkg, img); err != nil {
			return nil, err
		}
	}
	if r.linux, err = PrepareLinux(ctx, cfg.Root, tmp, cfg.Cache, cfg.NICs, cfg.Log); err != nil {
		return nil, err
	}
	r.unmodUser = filepath.Join(tmp, "plainhttp-user.elf")
	if err := build.BuildUser(ctx, bc, []build.UserProgram{{Path: r.linux.Unmodified}}, r.unmodUser); err != nil {
		return nil, err
	}
	if r.ns, err = qemu.NewNetnsQueues("warren-bench", max(1, cfg.Queues)); err != nil {
		return nil, err
	}
	defer r.ns.Close()
	// A permanent neighbour entry: the first SYN to a booting guest goes
	// out at once instead of waiting for ARP retries.
	if out, err := r.ns.Run("ip", "neigh", "replace", guestIP, "lladdr", qemu.TapGuestMAC, "dev", qemu.TapDevice, "nud", "permanent"); err != nil {
		return nil, fmt.Errorf("ip neigh: %v\n%s", err, out)
	}
	if r.wrapper, err = r.ns.QEMUWrapper(tmp); err != nil {
		return nil, err
	}

	rep := &Report{EchoBytes: cfg.EchoBytes, CPUs: cfg.cpus()}
	if fi, err := os.Stat(r.httpd); err == nil {
		rep.ImageWarren = fi.Size()
	}
	rep.ImageLinux = r.linux.size
	for _, nic := range cfg.NICs {
		res := &NICResult{NIC: nic}
		rep.NICs = append(rep.NICs, res)
		parts := []struct {
			name    string
			measure func(context.Context, string, *NICResult) error
		}{{"httpd", r.warrenHTTP}, {"echo", r.warrenEcho}, {"unmodified", r.warrenUnmodImage}, {"ring3", r.warrenUnmodRing3}, {"linux", r.linuxGuest}}
		for run := 1; run <= cfg.Runs; run++ {
			for _, p := range parts {
				if !cfg.measures(p.name) {
					continue
				}
				if err := p.measure(ctx, nic, res); err != nil {
					if ctx.Err() != nil {
						return rep, ctx.Err()
					}
					msg := fmt.Sprintf("%s run %d: %v", nic, run, err)
					fmt.Fprintf(cfg.Log, "bench: %s\n", msg)
					res.Failures = append(res.Failures, msg)
				}
			}
		}
		if cfg.Small != "" && cfg.Runs > 0 && cfg.measures("small") {
			rep.Small = append(rep.Small, r.small(ctx, nic))
		}
	}
	for run := 1; run <= cfg.Runs && cfg.measures("microvm"); run++ {
		if err := r.microVMBoot(ctx, rep); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			msg := fmt.Sprintf("microvm run %d: %v", run, err)
			fmt.Fprintf(cfg.Log, "bench: %s\n", msg)
			rep.Failures = append(rep.Failures, msg)
		}
	}
	for run := 1; run <= cfg.Runs && cfg.measures("scaling"); run++ {
		if err := r.scaling(ctx, rep); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			msg := fmt.Sprintf("scaling run %d: %v", run, err)
			fmt.Fprintf(cfg.Log, "bench: %s\n", msg)
			rep.Failures = append(rep.Failures, msg)
		}
	}
	for run := 1; run <= cfg.Runs && cfg.measures("smpboot"); run++ {
		if err := r.smpBoot(ctx, rep, run); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			msg := fmt.Sprintf("smpboot run %d: %v", run, err)
			fmt.Fprintf(cfg.Log, "bench: %s\n", msg)
			rep.Failures = append(rep.Failures, msg)
		}
	}
	for run := 1; run <= cfg.Runs && cfg.measures("sleep"); run++ {
		if err := r.sleepAccuracy(ctx, rep); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			msg := fmt.Sprintf("sleep run %d: %v", run, err)
			fmt.Fprintf(cfg.Log, "bench: %s\n", msg)
			rep.Failures = append(rep.Failures, msg)
		}
	}
	if cfg.Profile != "" {
		if err := r.profileWarren(ctx, cfg.NICs[0], tmp); err != nil {
			return rep, err
		}
	}
	rep.Made = made(cfg, r.linux.Kernel.Package, version)
	return rep, ctx.Err()
}
