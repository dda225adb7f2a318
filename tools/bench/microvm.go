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
	t, err := waitReady(ctx, r.ns.DialContext, guestIP+":80", httpOK, g.done, bootTimeout)
	if err != nil {
		return failed(g, "microvm: waiting for the first 200", err)
	}
	d := t.Sub(g.start)
	rep.MicroVMBoot = append(rep.MicroVMBoot, ms(d))
	fmt.Fprintf(r.cfg.Log, "bench: microvm (virtio-mmio): first 200 after %v\n", d.Round(time.Millisecond))
	return nil
}
