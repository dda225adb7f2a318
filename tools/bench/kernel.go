package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// nicModules are the driver modules each QEMU NIC model needs in the
// Debian kernel (where virtio itself is modular); ModuleOrder adds their
// dependencies.
var nicModules = map[string][]string{
	"virtio-net-pci": {"virtio_pci", "virtio_net"},
	"e1000":          {"e1000"},
	"e1000e":         {"e1000e"},
}

// Kernel is a Debian kernel unpacked in the cache: the compressed kernel
// and the modules the NICs need, in their tree.
type Kernel struct {
	Package string // linux-image-6.1.0-56-amd64
	Vmlinuz string
	Modules string // the modules tree (lib/modules/VERSION/kernel)
}

// CacheDir is $XDG_CACHE_HOME/warren-bench, else ~/.cache/warren-bench.
func CacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "warren-bench"), nil
}

// FetchKernel returns the kernel of Debian's linux-image-amd64, downloading
// and unpacking it into cache/kernel the first time.
func FetchKernel(ctx context.Context, cache string, log io.Writer) (*Kernel, error) {
	pkg, err := kernelPackage(ctx)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cache, "kernel", pkg)
	if k, err := loadKernel(dir, pkg); err == nil {
		return k, nil
	}
	fmt.Fprintf(log, "bench: downloading %s into %s\n", pkg, dir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), pkg+".tmp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	os.Chmod(tmp, 0o755) // apt-get download drops privileges to _apt when it can
	if err := runIn(ctx, tmp, "apt-get", "download", pkg); err != nil {
		return nil, err
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, pkg+"_*.deb"))
	if len(debs) != 1 {
		return nil, fmt.Errorf("apt-get download %s left %d packages", pkg, len(debs))
	}
	x := filepath.Join(tmp, "x")
	if err := runIn(ctx, tmp, "dpkg-deb", "-x", debs[0], x); err != nil {
		return nil, err
	}
	if err := keepKernel(x, dir); err != nil {
		return nil, err
	}
	return loadKernel(dir, pkg)
}

// kernelPackage asks apt which versioned package linux-image-amd64 means.
func kernelPackage(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "apt-cache", "depends", "linux-image-amd64").Output()
	if err != nil {
		return "", fmt.Errorf("apt-cache depends linux-image-amd64: %v (a Debian host with apt is needed for the Linux guest)", err)
	}
	return parseAptDepends(string(out))
}

// parseAptDepends picks the linux-image package among apt-cache's
// "Depends:" lines.
func parseAptDepends(out string) (string, error) {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && strings.TrimPrefix(f[0], "|") == "Depends:" && strings.HasPrefix(f[1], "linux-image-") {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("no linux-image dependency in apt-cache output:\n%s", out)
}

// keepKernel copies vmlinuz and the NIC modules (with their dependencies)
// from an unpacked package at x into dir, then marks dir complete.
func keepKernel(x, dir string) error {
	vmlinuz, _ := filepath.Glob(filepath.Join(x, "boot", "vmlinuz-*"))
	mods, _ := filepath.Glob(filepath.Join(x, "lib", "modules", "*", "kernel"))
	if len(vmlinuz) != 1 || len(mods) != 1 {
		return fmt.Errorf("unpacked kernel package: %d vmlinuz, %d module trees", len(vmlinuz), len(mods))
	}
	var roots []string
	for _, r := range nicModules {
		roots = append(roots, r...)
	}
	sort.Strings(roots)
	_, files, err := ModuleOrder(mods[0], roots)
	if err != nil {
		return err
	}
	os.RemoveAll(dir)
	if err := copyFile(vmlinuz[0], filepath.Join(dir, filepath.Base(vmlinuz[0]))); err != nil {
		return err
	}
	for _, f := range files {
		rel, _ := filepath.Rel(mods[0], f)
		if err := copyFile(f, filepath.Join(dir, "modules", rel)); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "complete"), nil, 0o644)
}

func loadKernel(dir, pkg string) (*Kernel, error) {
	if _, err := os.Stat(filepath.Join(dir, "complete")); err != nil {
		return nil, err
	}
	vmlinuz, _ := filepath.Glob(filepath.Join(dir, "vmlinuz-*"))
	if len(vmlinuz) != 1 {
		return nil, errors.New("no vmlinuz in " + dir)
	}
	return &Kernel{Package: pkg, Vmlinuz: vmlinuz[0], Modules: filepath.Join(dir, "modules")}, nil
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// runIn runs a command in dir, returning its output in the error.
func runIn(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}
