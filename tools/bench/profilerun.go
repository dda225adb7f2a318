package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// sampleEvery is the guest profile's sampling interval.
const sampleEvery = 10 * time.Millisecond

// profileWarren boots Warren's httpd with QEMU's gdbstub, puts it under
// the wrk load on "/" and samples its stacks, writing the profile to
// cfg.Profile.
func (r *runner) profileWarren(ctx context.Context, nic, tmp string) error {
	sock := filepath.Join(tmp, "gdb.sock")
	m := r.warrenMachine(r.httpd, r.cfg.Memory)
	m.ExtraArgs = []string{"-gdb", "unix:" + sock + ",server=on,wait=off"}
	g := startGuest(ctx, m, r.wrapper, nic)
	defer g.stop()
	if _, err := waitReady(ctx, r.ns.DialContext, guestIP+":80", httpOK, g.done, bootTimeout); err != nil {
		return failed(g, "profile: waiting for the first 200", err)
	}
	url := "http://" + guestIP + "/"
	if r.cfg.Warmup > 0 {
		warm := r.cfg.Load
		warm.Duration = r.cfg.Warmup
		if _, err := runWrk(ctx, r.ns, warm, url); err != nil {
			return failed(g, "profile: warm-up", err)
		}
	}
	syms, err := loadSymtab(r.httpd)
	if err != nil {
		return err
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
	head := fmt.Sprintf("Warren's examples/httpd on %s under `%s` on /, its stack sampled every %v through QEMU's gdbstub\n"+
		"(each sample stops the guest; %.0f req/s, p99 %v while sampled)\n\n", nic, r.cfg.Load, sampleEvery, w.RequestsPerS, w.P99)
	fmt.Fprintf(r.cfg.Log, "bench: guest profile of %d samples in %s\n", p.Samples, r.cfg.Profile)
	return os.WriteFile(r.cfg.Profile, []byte(head+p.Text(80)), 0o644)
}
