package bench

import (
	"context"
	"fmt"
	"time"
)

// smpBootCPUs is the vCPU count whose boot the smpboot row compares with
// one vCPU's.
const smpBootCPUs = 4

// smpBoot boots Warren's httpd on virtio-net-pci at -smp 1 and at
// -smp smpBootCPUs, back to back, and records the time from QEMU's start
// to the first HTTP 200 at smpBootCPUs over the time at one: starting
// the application processors must cost the boot little. Even runs boot
// in the other order, so that neither count always boots first.
func (r *runner) smpBoot(ctx context.Context, rep *Report, run int) error {
	var d [2]time.Duration // at 1 and at smpBootCPUs
	order := []int{0, 1}
	if run%2 == 0 {
		order = []int{1, 0}
	}
	for _, i := range order {
		cpus := []int{1, smpBootCPUs}[i]
		m := r.warrenMachine(r.httpd, r.cfg.Memory)
		m.CPUs = cpus
		g := r.startGuest(ctx, m, "virtio-net-pci")
		var err error
		d[i], err = r.firstOK(ctx, g, fmt.Sprintf("smpboot: -smp %d", cpus))
		g.stop()
		if err != nil {
			return err
		}
	}
	x := float64(d[1]) / float64(d[0])
	rep.SMPBoot = append(rep.SMPBoot, x)
	fmt.Fprintf(r.cfg.Log, "bench: first 200 after %v at -smp 1, %v at -smp %d: %.2fx\n", d[0].Round(time.Millisecond), d[1].Round(time.Millisecond), smpBootCPUs, x)
	return nil
}
