package qemu_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
)

// PVH boots under QEMU run a copy of the image without its Multiboot
// header (qemu.Machine.PVH), since QEMU's -kernel takes Multiboot first;
// the tests without PVH exercise Multiboot on the same machine types.

// TestBootPVH boots examples/hello and echoargs through the PVH entry on
// q35 and qemu.MicroVM (no NIC here: the serial console and
// isa-debug-exit), and echoargs through Multiboot on both too: the command
// line arrives whole under PVH (QEMU puts no image path before it, and on
// MicroVM adds its virtio_mmio.device= options, which the kernel takes)
// and the program's status is the machine's.
func TestBootPVH(t *testing.T) {
	for _, typ := range []string{"q35", qemu.MicroVM} {
		t.Run(machineName(typ)+"/hello-pvh", func(t *testing.T) {
			out, status, err := bootExample(t, "examples/hello", boot{Type: typ, PVH: true})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "hello from warren\n") || status != 0 {
				t.Errorf("status %d, output %q; want 0 and %q", status, out, "hello from warren")
			}
		})
		for _, pvh := range []bool{true, false} {
			name := machineName(typ) + "/echoargs-multiboot"
			if pvh {
				name = machineName(typ) + "/echoargs-pvh"
			}
			t.Run(name, func(t *testing.T) {
				out, status, err := bootExample(t, "qemu/testdata/echoargs", boot{
					Type: typ, PVH: pvh, Options: []string{"TEST_BOOT=" + name}, Args: []string{"-exit=3", "a", "b c"},
				})
				if err != nil {
					t.Fatal(err)
				}
				if want := "args [\"a\" \"b c\"]\nenv TEST_BOOT=" + name + "\n"; !strings.Contains(out, want) {
					t.Errorf("output %q does not contain %q", out, want)
				}
				if status != 3 {
					t.Errorf("exit status %d, want 3", status)
				}
			})
		}
	}
}

// TestUserPVH boots a user image through PVH: QEMU passes IMAGE.initrd as
// the PVH module, and the process in it must start and end the machine
// with its status (the handler case of isolate exits 42).
func TestUserPVH(t *testing.T) {
	isolate := cProgram(t, &isolateBuild, "isolate")
	image := userImage(t, userProgram{"handler", isolate, []string{"handler", kernelAddrs[0].addr}})
	for _, typ := range []string{"q35", qemu.MicroVM} {
		t.Run(machineName(typ), func(t *testing.T) {
			m, err := userMachine(image)
			if err != nil {
				t.Fatal(err)
			}
			m.Type, m.PVH = typ, true
			out, status := runUser(t, m)
			if !strings.Contains(out, "caught SIGSEGV at "+kernelAddrs[0].addr) {
				t.Errorf("the handler did not report the fault:\n%s", out)
			}
			if status != 42 {
				t.Errorf("machine status %d, want 42 (the process's)", status)
			}
		})
	}
}

// TestHTTPDPVH serves examples/httpd's page from q35 booted through PVH,
// with virtio-net-pci on QEMU's user network and DHCP.
func TestHTTPDPVH(t *testing.T) {
	args, port := userNetwork(t, "virtio-net-pci", 80)
	g := bootGuest(t, "examples/httpd", qemu.Machine{Type: "q35", PVH: true, Append: "ip=dhcp", ExtraArgs: args})
	g.waitFor("httpd: serving", 2*time.Minute)
	c := &http.Client{Timeout: time.Minute}
	if code, body := httpGet(t, c, fmt.Sprintf("http://127.0.0.1:%d/", port), time.Minute); code != 200 || len(body) == 0 {
		t.Fatalf("status %d, %d bytes", code, len(body))
	}
}

// machineName is a machine type without its properties.
func machineName(typ string) string {
	name, _, _ := strings.Cut(typ, ",")
	return name
}
