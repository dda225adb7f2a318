package qemu_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// TestMicroVMHTTPD boots the HTTP example on QEMU's microvm, whose only
// NIC is a virtio-net device on virtio-mmio (no PCI), and fetches its
// page and counters: through Multiboot, where the options that place the
// eight transports come from the test (the empty ones are skipped), and
// through PVH, the way Firecracker and cloud-hypervisor boot, where QEMU
// writes them into the command line itself. The address is static.
func TestMicroVMHTTPD(t *testing.T) {
	for _, pvh := range []bool{false, true} {
		name := "multiboot"
		if pvh {
			name = "pvh"
		}
		var devices []string
		if !pvh {
			devices = qemu.MicroVMDevices()
		}
		t.Run(name, func(t *testing.T) { microVMHTTPD(t, qemu.MicroVM, pvh, devices) })
	}
}

// TestMicroVMACPIHTTPD boots the HTTP example on microvm with its ACPI
// tables and no virtio_mmio.device= options: the kernel finds the NIC's
// transport, and its level-triggered interrupt, in the DSDT.
func TestMicroVMACPIHTTPD(t *testing.T) {
	microVMHTTPD(t, qemu.MicroVMACPI, false, nil)
}

func microVMHTTPD(t *testing.T, typ string, pvh bool, devices []string) {
	opts := append(devices, "ip=10.0.2.15/24", "gw=10.0.2.2")
	line, err := build.Cmdline(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	args, port := userNetwork(t, "virtio-net-device", 80)
	g := bootGuest(t, "examples/httpd", qemu.Machine{Type: typ, PVH: pvh, Append: line, ExtraArgs: args})
	g.waitFor("httpd: serving", 2*time.Minute)
	if out := g.output(); strings.Contains(out, "warren: network:") || strings.Contains(out, "virtio_mmio") || strings.Contains(out, "acpi:") {
		t.Errorf("network errors, or the options reached the program:\n%s", out)
	}
	c := &http.Client{Timeout: time.Minute}
	for _, path := range []string{"/", "/stats"} {
		resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "eth0") {
			t.Fatalf("%s: status %d:\n%s", path, resp.StatusCode, body)
		}
	}
}
