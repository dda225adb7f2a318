package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Linux is the Linux guest: a Debian kernel and an initramfs whose /init
// (tools/bench/linuxinit) loads the NIC driver, configures eth0, serves
// the kernel's counters and starts the examples httpd and echo, built as
// ordinary Linux programs, and the unmodified service, built by plain go
// build.
type Linux struct {
	Kernel     *Kernel
	Initramfs  string
	Unmodified string              // the binary /bin/plainhttp is, on the host
	modules    map[string][]string // NIC model → modules in load order
	size       int64               // vmlinuz + an initramfs of init, httpd and the modules
}

// Guest paths of the servers.
const (
	linuxHTTPD = "/bin/httpd"
	linuxEcho  = "/bin/echo"
	linuxUnmod = "/bin/plainhttp"
)

// PrepareLinux fetches the kernel (cached) and builds the initramfs in tmp.
func PrepareLinux(ctx context.Context, root, tmp, cache string, nics []string, log io.Writer) (*Linux, error) {
	k, err := FetchKernel(ctx, cache, log)
	if err != nil {
		return nil, err
	}
	l := &Linux{Kernel: k, modules: map[string][]string{}}
	bins := map[string]string{"init": "./tools/bench/linuxinit", "bin/httpd": "./examples/httpd", "bin/echo": "./examples/echo", linuxUnmod[1:]: unmodPkg}
	// netshim stands in for warren.dev/net in the examples that use it;
	// init and the unmodified service are built as they are.
	shim := map[string]bool{"bin/httpd": true, "bin/echo": true}
	var files []InitramfsFile
	for name, pkg := range bins {
		out := filepath.Join(tmp, "linux-"+filepath.Base(name))
		if err := goBuildLinux(ctx, root, tmp, pkg, out, shim[name]); err != nil {
			return nil, err
		}
		files = append(files, InitramfsFile{Name: name, Path: out, Perm: 0o755})
		if name == linuxUnmod[1:] {
			l.Unmodified = out
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
	// httpd needs, without the echo server and the unmodified service.
	var httpOnly []InitramfsFile
	for _, f := range files {
		if f.Name != "bin/echo" && f.Name != linuxUnmod[1:] {
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
		"-run", linuxHTTPD + "," + linuxEcho + "," + linuxUnmod,
		"-stats", strconv.Itoa(statsPort),
	}, " ")
}
