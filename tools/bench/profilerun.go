package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"warren.dev/qemu"
)

// sampleEvery is the guest profile's sampling interval.
const sampleEvery = 10 * time.Millisecond

// The services a profile can sample (Config.ProfileOf).
const (
	ProfileHTTPD      = "httpd"      // examples/httpd on the in-program netstack API
	ProfileUnmodified = "unmodified" // examples/plainhttp built into the image
	ProfileRing3      = "ring3"      // examples/plainhttp as a ring-3 process
)

// ProfileTargets lists the values of Config.ProfileOf.
var ProfileTargets = []string{ProfileHTTPD, ProfileUnmodified, ProfileRing3}

// profileWarren boots the service cfg.ProfileOf names with QEMU's
// gdbstub, puts it under the wrk load on "/" and samples its stacks,
// writing the profile to cfg.Profile.
func (r *runner) profileWarren(ctx context.Context, nic, tmp string) error {
	img, addr, what := r.httpd, guestIP+":80", "examples/httpd"
	var modules []qemu.Module
	syms := &guestSyms{}
	switch r.cfg.ProfileOf {
	case ProfileHTTPD, "":
	case ProfileUnmodified:
		img, addr, what = r.unmod, unmodAddr, "examples/plainhttp in the image"
	case ProfileRing3:
		img, addr, what = r.unmodUser, unmodAddr, "examples/plainhttp as a ring-3 process"
		modules = []qemu.Module{{Path: r.unmodUser + ".initrd"}}
		var err error
		if syms.proc, err = loadSymtab(r.linux.Unmodified); err != nil {
			return err
		}
	default:
		return fmt.Errorf("bench: no service %q to profile (one of %v)", r.cfg.ProfileOf, ProfileTargets)
	}
	var err error
	if syms.image, err = loadSymtab(img); err != nil {
		return err
	}
	sock := filepath.Join(tmp, "gdb.sock")
	m := r.warrenMachine(img, r.cfg.Memory)
	m.Modules = modules
	m.ExtraArgs = []string{"-gdb", "unix:" + sock + ",server=on,wait=off"}
	g := r.startGuest(ctx, m, nic)
	defer g.stop()
	if _, err := waitReady(ctx, r.ns.DialContext, addr, httpOK, g.done, bootTimeout); err != nil {
		return failed(g, "profile: waiting for the first 200", err)
	}
	url := "http://" + addr + "/"
	if r.cfg.Warmup > 0 {
		warm := r.cfg.Load
		warm.Duration = r.cfg.Warmup
		if _, err := runWrk(ctx, r.ns, warm, url); err != nil {
			return failed(g, "profile: warm-up", err)
		}
	}
	stub, err := dialStub(sock)
	if err != nil {
		return err
	}
	defer stub.Close()
	sctx, stop := context.WithCancel(ctx)
	var p *Profile
	var perr error
	done := make(chan struct{})
	go func() {
		p, perr = sampleGuest(sctx, stub, syms, sampleEvery)
		close(done)
	}()
	w, err := runWrk(ctx, r.ns, r.cfg.Load, url)
	stop()
	<-done
	if err != nil {
		return failed(g, "profile: wrk", err)
	}
	if perr != nil {
		return fmt.Errorf("profile: %w", perr)
	}
	head := fmt.Sprintf("Warren's %s on %s under `%s` on /, its stack sampled every %v through QEMU's gdbstub\n"+
		"(each sample stops the guest; %.0f req/s, p99 %v while sampled)\n\n", what, nic, r.cfg.Load, sampleEvery, w.RequestsPerS, w.P99)
	fmt.Fprintf(r.cfg.Log, "bench: guest profile of %d samples in %s\n", p.Samples, r.cfg.Profile)
	return os.WriteFile(r.cfg.Profile, []byte(head+p.Text(200)), 0o644)
}
