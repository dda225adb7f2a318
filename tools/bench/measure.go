package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"warren.dev/qemu"
)

// plainPath is a page about the size of httpd's "/" that does no work
// beyond HTTP.
const plainPath = "/download?bytes=1024"

// failed adds the end of the console to a measurement's error.
func failed(g *guest, what string, err error) error {
	return fmt.Errorf("%s: %w\nconsole (end):\n%s", what, err, lastLines(g.console.String(), 20))
}

// httpRun is what serveHTTP measured.
type httpRun struct {
	boot     time.Duration
	w, plain Wrk
	mem      Memory
}

// serveHTTP measures a booted guest serving httpd: time to the first 200,
// wrk's figures and the memory /stats reports.
func (r *runner) serveHTTP(ctx context.Context, g *guest, name, nic string) (httpRun, error) {
	var h httpRun
	t, err := waitReady(ctx, r.ns.DialContext, guestIP+":80", httpOK, g.done, bootTimeout)
	if err != nil {
		return h, failed(g, name+": waiting for the first 200", err)
	}
	h.boot = t.Sub(g.start)
	url := "http://" + guestIP + "/"
	if r.cfg.Warmup > 0 {
		warm := r.cfg.Load
		warm.Duration = r.cfg.Warmup
		if _, err := runWrk(ctx, r.ns, warm, url); err != nil {
			return h, failed(g, name+": warm-up", err)
		}
	}
	if h.w, err = runWrk(ctx, r.ns, r.cfg.Load, url); err != nil {
		return h, failed(g, name+": wrk", err)
	}
	if h.plain, err = runWrk(ctx, r.ns, r.cfg.Load, "http://"+guestIP+plainPath); err != nil {
		return h, failed(g, name+": wrk "+plainPath, err)
	}
	page, err := fetchStats(ctx, r.ns.DialContext)
	if err != nil {
		return h, failed(g, name+": /stats", err)
	}
	h.mem = parseMemory(page)
	fmt.Fprintf(r.cfg.Log, "bench: %s %s: first 200 after %v; / %.0f req/s, p50 %v, p99 %v, %d errors; %s %.0f req/s, p99 %v; Go Sys %.1f MiB, in use %.1f MiB\n",
		nic, name, h.boot.Round(time.Millisecond), h.w.RequestsPerS, h.w.P50, h.w.P99, h.w.SocketErrors+h.w.Non2xx, plainPath, h.plain.RequestsPerS, h.plain.P99, h.mem.GoSys, h.mem.Used)
	return h, nil
}

// addHTTP records a run of httpd in the main rows.
func (res *NICResult) addHTTP(warren bool, h httpRun) {
	res.add(warren, FigBoot, ms(h.boot))
	res.add(warren, FigRate, h.w.RequestsPerS)
	res.add(warren, FigP50, ms(h.w.P50))
	res.add(warren, FigP99, ms(h.w.P99))
	res.add(warren, FigWrkErrors, float64(h.w.SocketErrors+h.w.Non2xx))
	res.add(warren, FigPlainRate, h.plain.RequestsPerS)
	res.add(warren, FigPlainP99, ms(h.plain.P99))
	res.add(warren, FigGoSys, h.mem.GoSys)
	res.add(warren, FigUsed, h.mem.Used)
}

// addUserHTTP records a run of Linux's httpd binary in the ring-3 rows.
func (res *NICResult) addUserHTTP(warren bool, h httpRun) {
	res.add(warren, FigUserBoot, ms(h.boot))
	res.add(warren, FigUserRate, h.w.RequestsPerS)
	res.add(warren, FigUserP99, ms(h.w.P99))
	res.add(warren, FigUserPlainRate, h.plain.RequestsPerS)
}

// echo measures the TCP echo server of a booted guest.
func (r *runner) echoRate(ctx context.Context, g *guest, warren bool, res *NICResult) error {
	name := map[bool]string{true: "Warren", false: "Linux"}[warren]
	if _, err := waitReady(ctx, r.ns.DialContext, guestIP+":7", echoes, g.done, bootTimeout); err != nil {
		return failed(g, name+": waiting for the echo server", err)
	}
	b, err := echoBulk(ctx, r.ns.DialContext, guestIP+":7", r.cfg.EchoBytes, bulkLimit)
	switch {
	case errors.Is(err, errIncomplete):
		// The rate so far is the figure; the shortfall is reported.
		res.Failures = append(res.Failures, fmt.Sprintf("%s %s: %v", res.NIC, name, err))
	case err != nil:
		return failed(g, name+": echo", err)
	}
	rate := b.MBps()
	res.add(warren, FigEcho, rate)
	fmt.Fprintf(r.cfg.Log, "bench: %s %s: TCP echo %.1f MB/s\n", res.NIC, name, rate)
	return nil
}

func (r *runner) warrenMachine(image, mem string) qemu.Machine {
	return qemu.Machine{Image: image, Memory: mem, Append: strings.TrimSpace("ip=" + guestV4 + " gw=" + gatewayV4 + " " + r.cfg.Append)}
}

// warrenHTTP boots Warren's httpd.
func (r *runner) warrenHTTP(ctx context.Context, nic string, res *NICResult) error {
	g := startGuest(ctx, r.warrenMachine(r.httpd, r.cfg.Memory), r.wrapper, nic)
	defer g.stop()
	h, err := r.serveHTTP(ctx, g, "Warren", nic)
	if err == nil {
		res.addHTTP(true, h)
	}
	return err
}

// warrenUserHTTP boots Warren with the Linux guest's httpd binary as a
// ring-3 process.
func (r *runner) warrenUserHTTP(ctx context.Context, nic string, res *NICResult) error {
	m := r.warrenMachine(r.userHTTPD, r.cfg.Memory)
	m.Modules = []qemu.Module{{Path: r.userHTTPD + ".initrd"}}
	g := startGuest(ctx, m, r.wrapper, nic)
	defer g.stop()
	h, err := r.serveHTTP(ctx, g, "Warren ring 3", nic)
	if err == nil {
		res.addUserHTTP(true, h)
	}
	return err
}

// warrenEcho boots Warren's echo server.
func (r *runner) warrenEcho(ctx context.Context, nic string, res *NICResult) error {
	g := startGuest(ctx, r.warrenMachine(r.echo, r.cfg.Memory), r.wrapper, nic)
	defer g.stop()
	return r.echoRate(ctx, g, true, res)
}

// linuxGuest boots the Linux guest, which runs both servers.
func (r *runner) linuxGuest(ctx context.Context, nic string, res *NICResult) error {
	m := qemu.Machine{
		Image: r.linux.Kernel.Vmlinuz, Memory: r.cfg.Memory, Append: r.linux.Cmdline(nic),
		Modules: []qemu.Module{{Path: r.linux.Initramfs}},
	}
	g := startGuest(ctx, m, r.wrapper, nic)
	defer g.stop()
	h, err := r.serveHTTP(ctx, g, "Linux", nic)
	if err != nil {
		return err
	}
	res.addHTTP(false, h)
	res.addUserHTTP(false, h) // the same binary the ring-3 rows run
	return r.echoRate(ctx, g, false, res)
}

// small boots Warren's httpd with cfg.Small of RAM and puts it under load.
func (r *runner) small(ctx context.Context, nic string) SmallMemory {
	s := SmallMemory{NIC: nic, Memory: r.cfg.Small, RequestsPS: math.NaN()}
	g := startGuest(ctx, r.warrenMachine(r.httpd, r.cfg.Small), r.wrapper, nic)
	defer g.stop()
	fail := func(what string, err error) SmallMemory {
		s.Detail = fmt.Sprintf("%s: %v", what, err)
		fmt.Fprintf(r.cfg.Log, "bench: %s -m %s: %v\n", nic, r.cfg.Small, failed(g, what, err))
		return s
	}
	if _, err := waitReady(ctx, r.ns.DialContext, guestIP+":80", httpOK, g.done, smallBootTimeout); err != nil {
		return fail("boot", err)
	}
	w, err := runWrk(ctx, r.ns, r.cfg.Load, "http://"+guestIP+"/")
	if err != nil {
		return fail("wrk", err)
	}
	if _, err := fetchStats(ctx, r.ns.DialContext); err != nil {
		return fail("after wrk", err)
	}
	s.OK, s.RequestsPS = true, w.RequestsPerS
	fmt.Fprintf(r.cfg.Log, "bench: %s -m %s: serves, %.0f req/s\n", nic, r.cfg.Small, w.RequestsPerS)
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
