package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Linux is the Linux guest: a Debian kernel and an initramfs whose /init
// (tools/bench/linuxinit) loads the NIC driver, configures eth0 and starts
// the examples httpd and echo, built as ordinary Linux programs.
type Linux struct {
	Kernel    *Kernel
	Initramfs string
	HTTPD     string              // the httpd binary /bin/httpd is, on the host
	modules   map[string][]string // NIC model → modules in load order
	size      int64               // vmlinuz + an initramfs of init, httpd and the modules
}

// Guest paths of the servers.
const (
	linuxHTTPD = "/bin/httpd"
	linuxEcho  = "/bin/echo"
)

// PrepareLinux fetches the kernel (cached) and builds the initramfs in tmp.
func PrepareLinux(ctx context.Context, root, tmp, cache string, nics []string, log io.Writer) (*Linux, error) {
	k, err := FetchKernel(ctx, cache, log)
	if err != nil {
		return nil, err
	}
	l := &Linux{Kernel: k, modules: map[string][]string{}}
	bins := map[string]string{"init": "./tools/bench/linuxinit", "bin/httpd": "./examples/httpd", "bin/echo": "./examples/echo"}
	var files []InitramfsFile
	for name, pkg := range bins {
		out := filepath.Join(tmp, "linux-"+filepath.Base(name))
		if err := goBuildLinux(ctx, root, tmp, pkg, out, pkg != bins["init"]); err != nil {
			return nil, err
		}
		files = append(files, InitramfsFile{Name: name, Path: out, Perm: 0o755})
		if name == "bin/httpd" {
			l.HTTPD = out
		}
	}
	mods := map[string]string{}
	for _, nic := range nics {
		roots, ok := nicModules[nic]
		if !ok {
			return nil, fmt.Errorf("no Linux driver known for NIC model %q", nic)
		}
		order, paths, err := ModuleOrder(k.Modules, roots)
		if err != nil {
			return nil, err
		}
		l.modules[nic] = order
		for name, p := range paths {
			mods[name] = p
		}
	}
	for name, p := range mods {
		files = append(files, InitramfsFile{Name: "lib/modules/" + name + ".ko", Path: p, Perm: 0o644})
	}
	l.Initramfs = filepath.Join(tmp, "initramfs.cpio")
	f, err := os.Create(l.Initramfs)
	if err != nil {
		return nil, err
	}
	if err := WriteInitramfs(f, files); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	// The size compared with Warren's image: the kernel and what serving
	// HTTP needs, without the echo server.
	var httpOnly []InitramfsFile
	for _, f := range files {
		if f.Name != "bin/echo" {
			httpOnly = append(httpOnly, f)
		}
	}
	n, err := initramfsSize(httpOnly)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(k.Vmlinuz)
	if err != nil {
		return nil, err
	}
	l.size = fi.Size() + n
	return l, nil
}

// Cmdline is the kernel command line for a guest with the given NIC: the
// words after "--" are init's flags.
func (l *Linux) Cmdline(nic string) string {
	return strings.Join([]string{
		"console=ttyS0 quiet panic=-1 --",
		"-modules", strings.Join(l.modules[nic], ","),
		"-ip", guestV4, "-gw", gatewayV4,
		"-run", linuxHTTPD + "," + linuxEcho,
	}, " ")
}
