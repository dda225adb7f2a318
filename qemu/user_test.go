package qemu_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// Kernel addresses a process tries to reach: the kernel image's high
// alias and the kernel stacks, both mapped supervisor-only in every
// process's page tables, and a low address where the kernel's image
// lies in its own address space but nothing is mapped in a process's.
var kernelAddrs = []struct{ name, addr string }{
	{"image", "0xffffff8000101000"},
	{"stack", "0xffffc00000010000"},
	{"low", "0x101000"},
}

// TestUserIsolation runs qemu/testdata/userc/isolate as many processes
// at once, each trying one way out of its confinement: loads and stores
// to kernel addresses and privileged instructions must kill it with
// SIGSEGV, kernel addresses as system call buffers must fail with EFAULT,
// a SIGSEGV handler on the alternate stack must run, and pthreads must
// work. The kernel must survive it all and stop the machine, when the
// last process has ended, with that process's status. It runs at -smp 1
// and 2, where the processes' threads run on both CPUs at once.
func TestUserIsolation(t *testing.T) {
	for _, cpus := range []int{1, 2} {
		t.Run(fmt.Sprintf("smp%d", cpus), func(t *testing.T) { userIsolation(t, cpus) })
	}
}

func userIsolation(t *testing.T, cpus int) {
	isolate := cProgram(t, &isolateBuild, "isolate")

	// Each case is a copy of isolate named after it (letters and dashes),
	// so that the console's "started /bin/NAME as process N" tells the
	// processes apart.
	type want struct {
		signals []int // killed by one of these
		status  int   // or, if signals is nil, exited with this
	}
	segv := want{signals: []int{11}}
	type tcase struct {
		userProgram
		want want
	}
	var cases []tcase
	for _, k := range kernelAddrs {
		cases = append(cases,
			tcase{userProgram{"read-" + k.name, isolate, []string{"read-kernel", k.addr}}, segv},
			tcase{userProgram{"write-" + k.name, isolate, []string{"write-kernel", k.addr}}, segv},
			tcase{userProgram{"syscall-" + k.name, isolate, []string{"syscall-kernel", k.addr}}, want{}},
		)
	}
	for _, insn := range []struct{ name, arg string }{
		{"cli", "cli"}, {"hlt", "hlt"}, {"in", "in"}, {"out", "out"},
		{"rdmsr", "rdmsr"}, {"wrmsr", "wrmsr"}, {"movcr", "mov-cr3"}, {"lgdt", "lgdt"},
	} {
		// #GP in user mode is SIGSEGV on Linux; SIGILL is let pass.
		cases = append(cases, tcase{userProgram{"priv-" + insn.name, isolate, []string{"privileged", insn.arg}}, want{signals: []int{11, 4}}})
	}
	// threads runs longest (800,000 contended mutex operations and a 10 ms
	// sleep), so the process listed last is also, in practice, the last
	// to end.
	cases = append(cases,
		tcase{userProgram{"handler", isolate, []string{"handler", kernelAddrs[0].addr}}, want{status: 42}},
		tcase{userProgram{"madvise", isolate, []string{"madvise"}}, want{}},
		tcase{userProgram{"bad-fs", isolate, []string{"bad-fs"}}, want{}},
		tcase{userProgram{"bad-sigreturn", isolate, []string{"bad-return", "sigreturn"}}, segv},
		tcase{userProgram{"bad-handler", isolate, []string{"bad-return", "handler"}}, segv},
		tcase{userProgram{"threads", isolate, []string{"threads"}}, want{}},
	)
	var progs []userProgram
	for _, c := range cases {
		progs = append(progs, c.userProgram)
	}
	image := userImage(t, progs...)
	m, err := userMachine(image)
	if err != nil {
		t.Fatal(err)
	}
	m.CPUs = cpus
	out, status := runUser(t, m)

	pids, ends := consoleProcs(out)
	var last procEnd
	lastName := ""
	for _, c := range cases {
		pid, ok := pids[c.name]
		if !ok {
			t.Errorf("/bin/%s was not started", c.name)
			continue
		}
		e, ok := ends[pid]
		if !ok {
			t.Errorf("/bin/%s (%v, process %d): no end reported", c.name, c.args, pid)
			continue
		}
		if lastName == "" || e.offset > last.offset {
			last, lastName = e, c.name
		}
		switch {
		case c.want.signals != nil && !slices.Contains(c.want.signals, e.signal):
			t.Errorf("/bin/%s (%v): %v, want killed by signal %v: %s", c.name, c.args, e, c.want.signals, e.line)
		case c.want.signals == nil && (e.signal != 0 || e.status != c.want.status):
			t.Errorf("/bin/%s (%v): %v, want exit status %d: %s", c.name, c.args, e, c.want.status, e.line)
		}
	}
	if len(pids) != len(cases) {
		t.Errorf("%d programs started, want %d", len(pids), len(cases))
	}
	seen := map[int]string{}
	for name, pid := range pids {
		if other, ok := seen[pid]; ok {
			t.Errorf("/bin/%s and /bin/%s are both process %d", other, name, pid)
		}
		seen[pid] = name
	}

	// What the programs printed (their lines are whole writes, so they do
	// not tear, but they interleave).
	if strings.Contains(out, "FAIL:") {
		t.Errorf("a program reported a failure (FAIL: lines above)")
	}
	if n, w := strings.Count(out, "EFAULT ok: "), 5*len(kernelAddrs); n != w {
		t.Errorf("%d EFAULT ok lines, want %d", n, w)
	}
	if !strings.Contains(out, "caught SIGSEGV at "+kernelAddrs[0].addr+" on the alternate stack") {
		t.Errorf("the SIGSEGV handler's line is missing")
	}
	if !strings.Contains(out, "bad-fs ok") {
		t.Errorf("bad-fs did not pass")
	}
	if !strings.Contains(out, "madvise ok") {
		t.Errorf("madvise did not pass")
	}
	if !strings.Contains(out, "threads ok") {
		t.Errorf("threads did not pass")
	}

	if lastName != "" && status != last.machineStatus() {
		t.Errorf("machine status %d; the last process to end was /bin/%s (%v), which makes it %d", status, lastName, last, last.machineStatus())
	}
}

// TestUserBlockedCallRace runs qemu/testdata/userc/race as two processes
// with the same addresses: an attacker whose pipe reads and writes, poll
// and epoll_wait sleep and then copy, while a victim keeps the kernel
// reaching into its own memory. Each copy must land in (or come from) the
// sleeper's own memory, and a buffer a sibling thread unmapped during the
// sleep must fail with EFAULT without losing the pipe's bytes or the
// machine.
func TestUserBlockedCallRace(t *testing.T) {
	race := cProgram(t, &raceBuild, "race")
	// The victim runs for a fixed time, longer than the attacker needs
	// (about 2 s under TCG here), so that every round races it.
	image := userImage(t,
		userProgram{"victim", race, []string{"victim", "8"}},
		userProgram{"attacker", race, []string{"attacker", "100"}},
	)
	out, _ := bootUser(t, image)
	if strings.Contains(out, "FAIL:") {
		t.Errorf("a process reported a failure (FAIL: lines above)")
	}
	for _, ok := range []string{"attacker ok", "victim ok"} {
		if !strings.Contains(out, ok) {
			t.Errorf("%q is missing", ok)
		}
	}
	pids, ends := consoleProcs(out)
	for _, name := range []string{"victim", "attacker"} {
		if e := ends[pids[name]]; e.signal != 0 || e.status != 0 {
			t.Errorf("/bin/%s: %v: %s", name, e, e.line)
		}
	}
}

// TestUserSignalInterruptsSocketCall runs qemu/testdata/userc/intr: a
// signal ends a blocking accept or recv with EINTR, restarts it under
// SA_RESTART, and ends it with EINTR under SO_RCVTIMEO, as on Linux.
func TestUserSignalInterruptsSocketCall(t *testing.T) {
	intr := cProgram(t, &intrBuild, "intr")
	image := userImage(t, userProgram{"intr", intr, nil})
	out, status := bootUser(t, image)
	if !strings.Contains(out, "intr ok") || status != 0 {
		t.Errorf("intr did not pass (status %d)", status)
	}
}

// TestUserLimits runs qemu/testdata/userc/hog: processes that take all
// the memory they can (through the kernel, reading /dev/zero, and by
// touching pages), open descriptors and start threads until they fail,
// beside a survivor that keeps needing each. The memory hogs must be
// killed with SIGKILL and a line naming them, the others stopped by
// their limits (EMFILE, EAGAIN, ENFILE), and the survivor and the machine must
// not notice.
func TestUserLimits(t *testing.T) {
	hog := cProgram(t, &hogBuild, "hog")
	image := userImage(t,
		userProgram{"dev-zero", hog, []string{"dev-zero"}},
		userProgram{"touch", hog, []string{"touch"}},
		userProgram{"files", hog, []string{"files"}},
		userProgram{"threads", hog, []string{"threads"}},
		userProgram{"tables", hog, []string{"tables"}},
		userProgram{"survivor", hog, []string{"survivor", "6"}},
	)
	out, status := bootUser(t, image)
	if strings.Contains(out, "FAIL:") {
		t.Errorf("a process reported a failure (FAIL: lines above)")
	}
	pids, ends := consoleProcs(out)
	for _, name := range []string{"dev-zero", "touch"} {
		if e := ends[pids[name]]; e.signal != 9 {
			t.Errorf("/bin/%s: %v, want killed by SIGKILL: %s", name, e, e.line)
		}
		if want := fmt.Sprintf("out of memory: killing process %d (/bin/%s)", pids[name], name); !strings.Contains(out, want) {
			t.Errorf("no line %q", want)
		}
	}
	// 126 pipes fill the 253 descriptors above 0, 1 and 2.
	for _, ok := range []string{"files ok", "threads ok", "tables ok 126 4", "survivor ok"} {
		if !strings.Contains(out, ok) {
			t.Errorf("%q is missing", ok)
		}
	}
	if status != 0 {
		t.Errorf("machine status %d, want the survivor's 0", status)
	}
}

// TestUserISO boots a user image from a GRUB rescue ISO, which carries
// the programs as a module: the handler case of isolate catches its own
// SIGSEGV and exits 42, which must be the machine's status.
func TestUserISO(t *testing.T) {
	qemu.RequireTools(t, "grub-mkrescue", "xorriso")
	isolate := cProgram(t, &isolateBuild, "isolate")
	image := userImage(t, userProgram{"handler", isolate, []string{"handler", kernelAddrs[0].addr}})
	iso := filepath.Join(t.TempDir(), "warren.iso")
	mods := []build.BootModule{{Path: image + build.UserArchiveSuffix, Name: build.ArchiveModule}}
	if err := build.BuildISO(context.Background(), image, iso, "", mods); err != nil {
		t.Fatal(err)
	}
	log := &lineLogger{t: t}
	res, err := (&qemu.Machine{ISO: iso, Memory: "256M", Timeout: 3 * time.Minute, Stdout: log}).Run(context.Background())
	log.Flush()
	if err != nil {
		t.Fatalf("the machine did not stop with a status: %v", err)
	}
	out := strings.ReplaceAll(string(res.Output), "\r\n", "\n")
	checkKernelHealthy(t, out)
	if !strings.Contains(out, "caught SIGSEGV at "+kernelAddrs[0].addr) {
		t.Errorf("the handler did not report the fault:\n%s", out)
	}
	if res.Status != 42 {
		t.Errorf("machine status %d, want 42 (the process's)", res.Status)
	}
}
