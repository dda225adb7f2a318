package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"warren.dev/qemu"
)

func lookPath(tool string) (string, error) {
	p, err := exec.LookPath(tool)
	if err != nil {
		pkg := map[string]string{qemu.Binary: "qemu-system-x86", "wrk": "wrk", "ip": "iproute2", "apt-get": "apt", "dpkg-deb": "dpkg"}[tool]
		return "", fmt.Errorf("%s not found: install the Debian package %s (tools/deps.sh bench installs what the benchmark needs)", tool, pkg)
	}
	return p, nil
}

// made is the line saying how the table was made.
func made(cfg Config, kernel, version string) string {
	accel, _ := qemu.DetectAccel()
	accelArgs := "TCG (`-accel tcg -cpu max`)"
	if accel == qemu.AccelKVM {
		accelArgs = "KVM (`-accel kvm -cpu host`)"
	}
	cmd := cfg.Command
	if cmd == "" {
		cmd = "warren bench"
	}
	warren := "Warren " + version
	if cfg.Append != "" {
		warren += " booted with `" + cfg.Append + "`"
	}
	return fmt.Sprintf("Made by `%s` on %s: %s; %s, %d host CPUs; %s, %s, `-smp %d -m %s`; "+
		"each guest's NIC on a tap device in a network namespace the benchmark makes, wrk and the echo client inside it; `%s`; "+
		"Linux guest: Debian's %s; medians of %d runs, one boot per run and guest.",
		cmd, time.Now().Format("2006-01-02"), warren, hostCPU(), runtime.NumCPU(), qemuVersion(), accelArgs, cfg.cpus(), cfg.Memory,
		cfg.Load.String(), kernel, cfg.Runs)
}

// treeVersion names the Warren tree's commit, and says when its Go
// sources have changes beyond it.
func treeVersion(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "(no git commit)"
	}
	v := "at " + strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no", "--", "*.go", "go.mod", "go.sum").Output(); err == nil && len(st) > 0 {
		v += " with uncommitted changes"
	}
	return v
}

func hostCPU() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return runtime.GOARCH
}

func qemuVersion() string {
	out, err := exec.CommandContext(context.Background(), qemu.Binary, "--version").Output()
	if err != nil {
		return "QEMU"
	}
	f := strings.Fields(string(out))
	for i, w := range f {
		if w == "version" && i+1 < len(f) {
			return "QEMU " + f[i+1]
		}
	}
	return "QEMU"
}

// lastLines keeps the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
