package qemu_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// TestDiskHTTPD boots the HTTP example from a raw disk, from its qcow2 and
// from the qcow2 inside its containerDisk, each with the command line in
// its grub.cfg and nothing passed at boot, and fetches the page. The
// address is static: DHCP's timeout runs on the guest clock.
func TestDiskHTTPD(t *testing.T) {
	qemu.RequireTools(t, qemu.Binary, "grub-mkimage", "mformat", "mcopy", "qemu-img")
	image := buildExample(t, "examples/httpd")
	for _, f := range []build.Format{build.FormatRaw, build.FormatQCOW2, build.FormatContainerDisk} {
		t.Run(string(f), func(t *testing.T) { serveFromDisk(t, image, f, false) })
	}
}

// TestDiskUEFI boots the HTTP example's qcow2 disk, as KubeVirt and
// OpenStack get it, with OVMF instead of SeaBIOS: the firmware runs GRUB's
// EFI/BOOT/BOOTX64.EFI, which reads the grub.cfg the BIOS boot reads.
// GRUB's Multiboot passes no RSDP under UEFI and OVMF leaves none where a
// BIOS does, so the kernel runs without ACPI (one CPU, the PIT).
func TestDiskUEFI(t *testing.T) {
	qemu.RequireTools(t, qemu.Binary, qemu.OVMF, "grub-mkimage", "mformat", "mcopy", "qemu-img")
	serveFromDisk(t, buildExample(t, "examples/httpd"), build.FormatQCOW2, true)
}

// serveFromDisk writes image as a disk of format f, boots it (with OVMF
// if uefi) and fetches the HTTP example's page.
func serveFromDisk(t *testing.T, image string, f build.Format, uefi bool) {
	dir := t.TempDir()
	file := filepath.Join(dir, "httpd"+f.Ext())
	if err := build.WriteFormat(context.Background(), f, image, file, "ip=10.0.2.15/24 gw=10.0.2.2", nil); err != nil {
		t.Fatal(err)
	}
	m := qemu.Machine{Disk: file, DiskFmt: string(f), UEFI: uefi}
	if f == build.FormatContainerDisk {
		m.Disk, m.DiskFmt = filepath.Join(dir, "disk.qcow2"), string(build.FormatQCOW2)
		if err := build.ExtractContainerDisk(file, m.Disk); err != nil {
			t.Fatal(err)
		}
	}
	var port int
	m.ExtraArgs, port = userNetwork(t, "virtio-net-pci", 80)
	g := runGuest(t, m)
	g.waitFor("httpd: serving", 2*time.Minute)
	resp, err := (&http.Client{Timeout: time.Minute}).Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "eth0") {
		t.Fatalf("status %d:\n%s", resp.StatusCode, body)
	}
}
