package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"warren.dev/qemu"
)

// microVMBoot boots Warren's httpd on QEMU's microvm machine (no PCI:
// virtio-net over virtio-mmio, the transports named on the command line)
// on the benchmark's tap device and records the time from QEMU's start to
// the first HTTP 200, beside the PC machine's in the table.
func (r *runner) microVMBoot(ctx context.Context, rep *Report) error {
	m := r.warrenMachine(r.httpd, r.cfg.Memory)
	m.Type = qemu.MicroVM
	m.Append = strings.Join(append([]string{m.Append}, qemu.MicroVMDevices()...), " ")
	g := r.startGuest(ctx, m, "virtio-net-device")
	defer g.stop()
	d, err := r.firstOK(ctx, g, "microvm")
	if err != nil {
		return err
	}
	rep.MicroVMBoot = append(rep.MicroVMBoot, ms(d))
	fmt.Fprintf(r.cfg.Log, "bench: microvm (virtio-mmio): first 200 after %v\n", d.Round(time.Millisecond))
	return nil
}
