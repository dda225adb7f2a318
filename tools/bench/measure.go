package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
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

// countedWrk runs wrk on url with the guest's counters read just before
// and just after, and records the difference per request under load in
// res. Counters that cannot be read are a failure of their own: wrk's
// figures stand.
func (r *runner) countedWrk(ctx context.Context, res *NICResult, l Load, url string) (Wrk, error) {
	before, berr := scrapeCounters(ctx, r.ns.DialContext)
	w, err := runWrk(ctx, r.ns, r.cfg.Load, url)
	if err != nil {
		return w, err
	}
	after, aerr := scrapeCounters(ctx, r.ns.DialContext)
	if cerr := cmp.Or(berr, aerr); cerr != nil {
		res.Failures = append(res.Failures, fmt.Sprintf("%s %s, %s: %v", res.NIC, l.Guest, l.Page, cerr))
		return w, nil
	}
	d := diffCounters(before, after, w.Requests)
	res.addCounters(l, d)
	if r.cfg.Verbose != nil {
		fmt.Fprintf(r.cfg.Verbose, "bench: %s %s %s:\n%s", res.NIC, l.Guest, l.Page, w.Report)
		d.describe(r.cfg.Verbose)
	}
	return w, nil
}

// warmUp puts url under the load for cfg.Warmup.
func (r *runner) warmUp(ctx context.Context, url string) error {
	if r.cfg.Warmup <= 0 {
		return nil
	}
	warm := r.cfg.Load
	warm.Duration = r.cfg.Warmup
	_, err := runWrk(ctx, r.ns, warm, url)
	return err
}

// firstOK waits for g's httpd to answer 200 on port 80 and returns how
// long after QEMU's start it did; what names the guest in an error.
func (r *runner) firstOK(ctx context.Context, g *guest, what string) (time.Duration, error) {
	t, err := waitReady(ctx, r.ns.DialContext, guestIP+":80", httpOK, g.done, bootTimeout)
	if err != nil {
		return 0, failed(g, what+": waiting for the first 200", err)
	}
	return t.Sub(g.start), nil
}

// serveHTTP measures a booted guest serving httpd: time to the first 200,
// wrk's figures with the counters around them, and the memory /stats
// reports.
func (r *runner) serveHTTP(ctx context.Context, g *guest, guestName string, res *NICResult) (httpRun, error) {
	var h httpRun
	nic := res.NIC
	boot, err := r.firstOK(ctx, g, guestName)
	if err != nil {
		return h, err
	}
	h.boot = boot
	url := "http://" + guestIP + "/"
	if err := r.warmUp(ctx, url); err != nil {
		return h, failed(g, guestName+": warm-up", err)
	}
	if h.w, err = r.countedWrk(ctx, res, Load{"httpd `/`", guestName}, url); err != nil {
		return h, failed(g, guestName+": wrk", err)
	}
	if h.plain, err = r.countedWrk(ctx, res, Load{"httpd `" + plainPath + "`", guestName}, "http://"+guestIP+plainPath); err != nil {
		return h, failed(g, guestName+": wrk "+plainPath, err)
	}
	page, err := fetchStats(ctx, r.ns.DialContext)
	if err != nil {
		return h, failed(g, guestName+": /stats", err)
	}
	h.mem = parseMemory(page)
	fmt.Fprintf(r.cfg.Log, "bench: %s %s: first 200 after %v; / %.0f req/s, p50 %v, p99 %v, %d errors; %s %.0f req/s, p99 %v; Go Sys %.1f MiB, in use %.1f MiB\n",
		nic, guestName, h.boot.Round(time.Millisecond), h.w.RequestsPerS, h.w.P50, h.w.P99, h.w.SocketErrors+h.w.Non2xx, plainPath, h.plain.RequestsPerS, h.plain.P99, h.mem.GoSys, h.mem.Used)
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

// echoRate measures the TCP echo server on port of a booted guest and
// records the rate as each of figs.
func (r *runner) echoRate(ctx context.Context, g *guest, name string, port int, warren bool, res *NICResult, figs ...Figure) error {
	addr := guestIP + ":" + strconv.Itoa(port)
	if _, err := waitReady(ctx, r.ns.DialContext, addr, echoes, g.done, bootTimeout); err != nil {
		return failed(g, name+": waiting for the echo server", err)
	}
	b, err := echoBulk(ctx, r.ns.DialContext, addr, r.cfg.EchoBytes, bulkLimit)
	switch {
	case errors.Is(err, errIncomplete):
		// The rate so far is the figure; the shortfall is reported.
		res.Failures = append(res.Failures, fmt.Sprintf("%s %s: %v", res.NIC, name, err))
	case err != nil:
		return failed(g, name+": echo", err)
	}
	rate := b.MBps()
	for _, f := range figs {
		res.add(warren, f, rate)
	}
	fmt.Fprintf(r.cfg.Log, "bench: %s %s: TCP echo on port %d %.1f MB/s\n", res.NIC, name, port, rate)
	return nil
}

func (r *runner) warrenMachine(image, mem string) qemu.Machine {
	return qemu.Machine{Image: image, Memory: mem, Append: strings.TrimSpace(fmt.Sprintf("ip=%s gw=%s warren.stats=%d %s", guestV4, gatewayV4, statsPort, r.cfg.Append))}
}

// warrenHTTP boots Warren's httpd.
func (r *runner) warrenHTTP(ctx context.Context, nic string, res *NICResult) error {
	g := r.startGuest(ctx, r.warrenMachine(r.httpd, r.cfg.Memory), nic)
	defer g.stop()
	h, err := r.serveHTTP(ctx, g, GuestWarren, res)
	if err == nil {
		res.addHTTP(true, h)
	}
	return err
}

// warrenEcho boots Warren's echo server.
func (r *runner) warrenEcho(ctx context.Context, nic string, res *NICResult) error {
	g := r.startGuest(ctx, r.warrenMachine(r.echo, r.cfg.Memory), nic)
	defer g.stop()
	return r.echoRate(ctx, g, GuestWarren, 7, true, res, FigEcho)
}

// linuxGuest boots the Linux guest, which runs every server: httpd and
// echo, then the unmodified service.
func (r *runner) linuxGuest(ctx context.Context, nic string, res *NICResult) error {
	m := qemu.Machine{
		Image: r.linux.Kernel.Vmlinuz, Memory: r.cfg.Memory, Append: r.linux.Cmdline(nic),
		Modules: []qemu.Module{{Path: r.linux.Initramfs}},
	}
	g := r.startGuest(ctx, m, nic)
	defer g.stop()
	// The unmodified service starts with httpd: its first 200 is timed
	// from the same boot, while httpd is measured.
	unmodReady := make(chan float64, 1)
	go func() {
		t, err := waitReady(ctx, r.ns.DialContext, unmodAddr, httpOK, g.done, bootTimeout)
		boot := ms(t.Sub(g.start))
		if err != nil {
			boot = math.NaN()
		}
		unmodReady <- boot
	}()
	h, err := r.serveHTTP(ctx, g, GuestLinux, res)
	if err != nil {
		return err
	}
	res.addHTTP(false, h)
	if err := r.echoRate(ctx, g, GuestLinux, 7, false, res, FigEcho); err != nil {
		return err
	}
	u, err := r.serveUnmodified(ctx, g, GuestLinux, res)
	if err != nil {
		return err
	}
	u.boot = <-unmodReady
	res.addUnmodified(false, unmodFigures, u)
	res.addUnmodified(false, ring3Figures, u) // the same binary the ring-3 rows run
	return r.echoRate(ctx, g, GuestLinux+" unmodified", unmodEchoPort, false, res, unmodFigures.echo, ring3Figures.echo)
}

// small boots Warren's httpd with cfg.Small of RAM and puts it under load.
func (r *runner) small(ctx context.Context, nic string) SmallMemory {
	s := SmallMemory{NIC: nic, Memory: r.cfg.Small, RequestsPS: math.NaN()}
	g := r.startGuest(ctx, r.warrenMachine(r.httpd, r.cfg.Small), nic)
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
