package bench

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// smpworkPkg hashes a fixed amount of data in one goroutine per CPU.
const smpworkPkg = "./examples/smpwork"

// scalingMiB is how much smpwork hashes: about ten seconds at -smp 1
// under TCG, long against the boot.
const scalingMiB = 48

var hashRe = regexp.MustCompile(`hash: \d+ MiB in (\d+) goroutines: (\d+) ms`)

// scalingCPUs is the vCPU count whose throughput the scaling row
// compares with one vCPU's: the benchmark's, or two when it runs one.
func (cfg *Config) scalingCPUs() int { return max(cfg.cpus(), 2) }

// scaling boots smpwork at -smp 1 and at scalingCPUs, back to back, and
// records how many times the throughput of one vCPU the hashing reached
// with more: CPU-bound work only scales if the kernel runs threads on
// every CPU at once.
func (r *runner) scaling(ctx context.Context, rep *Report) error {
	args, err := build.Cmdline(nil, []string{"-hash", strconv.Itoa(scalingMiB)})
	if err != nil {
		return err
	}
	var ms [2]float64
	for i, cpus := range []int{1, r.cfg.scalingCPUs()} {
		m := qemu.Machine{Image: r.smpwork, Memory: r.cfg.Memory, CPUs: cpus, Timeout: bootTimeout, Append: args}
		res, err := m.Run(ctx)
		if err == nil && res.Status != 0 {
			err = fmt.Errorf("exit status %d", res.Status)
		}
		if err != nil {
			return fmt.Errorf("smpwork at -smp %d: %w\nconsole (end):\n%s", cpus, err, lastLines(string(res.Output), 20))
		}
		hash := hashRe.FindStringSubmatch(string(res.Output))
		if hash == nil {
			return fmt.Errorf("smpwork at -smp %d: no hash line\nconsole (end):\n%s", cpus, lastLines(string(res.Output), 20))
		}
		if hash[1] != strconv.Itoa(cpus) {
			return fmt.Errorf("smpwork at -smp %d hashed in %s goroutines, want one a CPU", cpus, hash[1])
		}
		ms[i], _ = strconv.ParseFloat(hash[2], 64)
	}
	x := ms[0] / ms[1]
	rep.Scaling = append(rep.Scaling, x)
	rep.ScalingCPUs = r.cfg.scalingCPUs()
	fmt.Fprintf(r.cfg.Log, "bench: hashing %d MiB: %.0f ms at -smp 1, %.0f ms at -smp %d: %.2fx the throughput\n", scalingMiB, ms[0], ms[1], rep.ScalingCPUs, x)
	return nil
}
