package build_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// TestBootStandIn boots stand-in images through both boot paths and checks
// what the kernel received from the loader.
func TestBootStandIn(t *testing.T) {
	qemu.RequireTools(t, qemu.Binary)
	dir := t.TempDir()
	archive := filepath.Join(dir, "initrd")
	var buf bytes.Buffer
	if err := build.WriteTestArchive(&buf, "", "", []string{filepath.Join(fixture.root, "examples")}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(archive, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmdline, err := build.JoinArgs([]string{"warren.cwd=/x", "-test.run=A B"})
	if err != nil {
		t.Fatal(err)
	}
	mods := []build.BootModule{{Path: archive, Name: build.ArchiveModule}}

	boot := func(t *testing.T, m qemu.Machine) string {
		m.Timeout = time.Minute
		res, err := m.Run(context.Background())
		if err != nil {
			t.Fatalf("%v\noutput:\n%s", err, res.Output)
		}
		if res.Status != standInStatus {
			t.Errorf("status %d, want %d", res.Status, standInStatus)
		}
		return string(res.Output)
	}
	kernel := func(image string) qemu.Machine {
		return qemu.Machine{Image: image, Append: cmdline, Modules: []qemu.Module{{Path: archive, Name: build.ArchiveModule}}}
	}

	t.Run("kernel", func(t *testing.T) {
		image := helloImage(t)
		out := boot(t, kernel(image))
		// QEMU puts the image's path first, and each module's path before
		// its name; it calls itself "qemu".
		want := "<" + image + " " + cmdline + ">{qemu}\n[" + archive + " initrd]070701\n"
		if out != want {
			t.Errorf("got %q, want %q", out, want)
		}
	})
	t.Run("kernel-copied-header", func(t *testing.T) {
		image := stringsTestImage(t)
		out := boot(t, kernel(image))
		if !strings.HasPrefix(out, "<"+image+" "+cmdline+">{qemu}\n") {
			t.Errorf("got %q", out)
		}
	})
	// Unlike QEMU, GRUB passes neither the image's nor the module's path.
	grubWant := regexp.MustCompile(`\n\r?<` + regexp.QuoteMeta(cmdline) + `>\{GRUB [^}]+\}\n\[initrd\]070701\n$`)
	t.Run("iso", func(t *testing.T) {
		qemu.RequireTools(t, "grub-mkrescue", "xorriso")
		iso := filepath.Join(t.TempDir(), "hello.iso")
		if err := build.BuildISO(context.Background(), helloImage(t), iso, cmdline, mods); err != nil {
			t.Fatal(err)
		}
		if err := build.CheckISO(iso); err != nil {
			t.Errorf("the ISO BuildISO made: %v", err)
		}
		if out := boot(t, qemu.Machine{ISO: iso}); !grubWant.MatchString(out) {
			t.Errorf("got %q, want it to match %s", out, grubWant)
		}
	})
	t.Run("disk", func(t *testing.T) {
		qemu.RequireTools(t, diskTools...)
		disk := filepath.Join(t.TempDir(), "hello.raw")
		if err := build.BuildDisk(context.Background(), helloImage(t), disk, cmdline, mods); err != nil {
			t.Fatal(err)
		}
		if out := boot(t, qemu.Machine{Disk: disk}); !grubWant.MatchString(out) {
			t.Errorf("got %q, want it to match %s", out, grubWant)
		}
	})
}
