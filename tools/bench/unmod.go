package bench

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"warren.dev/qemu"
)

// The unmodified service is examples/plainhttp, with its default ports.
const (
	unmodHTTPPort = 8080
	unmodEchoPort = 7007
	unmodPkg      = "./examples/plainhttp"
)

var unmodAddr = guestIP + ":" + strconv.Itoa(unmodHTTPPort)

// unmodPages are its pages, measured in turn.
var unmodPages = [...]string{"/", "/1k", "/64k"}

// unmodRun is what serveUnmodified measured.
type unmodRun struct {
	boot  float64 // ms from QEMU's start to the first 200; NaN when unknown
	pages [len(unmodPages)]Wrk
}

// unmodRows are the figures of one way of running the service.
type unmodRows struct {
	boot, rate, p99, rate1K, rate64K, errors, echo Figure
}

var (
	unmodFigures = unmodRows{FigUnmodBoot, FigUnmodRate, FigUnmodP99, FigUnmod1K, FigUnmod64K, FigUnmodErrors, FigUnmodEcho}
	ring3Figures = unmodRows{FigRing3Boot, FigRing3Rate, FigRing3P99, FigRing31K, FigRing364K, FigRing3Errors, FigRing3Echo}
)

// addUnmodified records a run of the service in rows.
func (res *NICResult) addUnmodified(warren bool, rows unmodRows, u unmodRun) {
	res.add(warren, rows.boot, u.boot)
	res.add(warren, rows.rate, u.pages[0].RequestsPerS)
	res.add(warren, rows.p99, ms(u.pages[0].P99))
	res.add(warren, rows.rate1K, u.pages[1].RequestsPerS)
	res.add(warren, rows.rate64K, u.pages[2].RequestsPerS)
	var errs int64
	for _, w := range u.pages {
		errs += w.SocketErrors + w.Non2xx
	}
	res.add(warren, rows.errors, float64(errs))
}

// serveUnmodified puts each page of the booted service under the load,
// after a warm-up on "/", with the counters around each run.
func (r *runner) serveUnmodified(ctx context.Context, g *guest, guestName string, res *NICResult) (unmodRun, error) {
	u := unmodRun{boot: math.NaN()}
	base := "http://" + unmodAddr
	if err := r.warmUp(ctx, base+"/"); err != nil {
		return u, failed(g, guestName+": unmodified: warm-up", err)
	}
	for i, page := range unmodPages {
		w, err := r.countedWrk(ctx, res, Load{"unmodified `" + page + "`", guestName}, base+page)
		if err != nil {
			return u, failed(g, guestName+": unmodified: wrk "+page, err)
		}
		u.pages[i] = w
	}
	fmt.Fprintf(r.cfg.Log, "bench: %s %s: unmodified: / %.0f req/s, p99 %v; /1k %.0f req/s; /64k %.0f req/s\n",
		res.NIC, guestName, u.pages[0].RequestsPerS, u.pages[0].P99, u.pages[1].RequestsPerS, u.pages[2].RequestsPerS)
	return u, nil
}

// warrenUnmodified boots the service on Warren, either built into the
// image (warren build) or as a ring-3 process (warren build -user, the
// Linux guest's binary), and measures it: first 200, pages, echo.
func (r *runner) warrenUnmodified(ctx context.Context, nic string, res *NICResult, ring3 bool) error {
	name, rows := GuestWarren, unmodFigures
	m := r.warrenMachine(r.unmod, r.cfg.Memory)
	if ring3 {
		name, rows = GuestRing3, ring3Figures
		m = r.warrenMachine(r.unmodUser, r.cfg.Memory)
		m.Modules = []qemu.Module{{Path: r.unmodUser + ".initrd"}}
	}
	g := r.startGuest(ctx, m, nic)
	defer g.stop()
	t, err := waitReady(ctx, r.ns.DialContext, unmodAddr, httpOK, g.done, bootTimeout)
	if err != nil {
		return failed(g, name+": unmodified: waiting for the first 200", err)
	}
	u, err := r.serveUnmodified(ctx, g, name, res)
	if err != nil {
		return err
	}
	u.boot = ms(t.Sub(g.start))
	res.addUnmodified(true, rows, u)
	fmt.Fprintf(r.cfg.Log, "bench: %s %s: unmodified: first 200 after %v\n", nic, name, t.Sub(g.start).Round(time.Millisecond))
	return r.echoRate(ctx, g, name+" unmodified", unmodEchoPort, true, res, rows.echo)
}

func (r *runner) warrenUnmodImage(ctx context.Context, nic string, res *NICResult) error {
	return r.warrenUnmodified(ctx, nic, res, false)
}

func (r *runner) warrenUnmodRing3(ctx context.Context, nic string, res *NICResult) error {
	return r.warrenUnmodified(ctx, nic, res, true)
}
