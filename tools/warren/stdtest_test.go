package main

import (
	"slices"
	"strings"
	"testing"
)

func TestParseTestLog(t *testing.T) {
	log := `warren: cpus: 1 online
=== RUN   TestA
--- PASS: TestA (0.00s)
=== RUN   TestB
=== RUN   TestB/sub
    b_test.go:9: sub is wrong
    --- FAIL: TestB/sub (0.00s)
--- FAIL: TestB (0.00s)
=== RUN   TestC
=== PAUSE TestC
=== RUN   TestD
    d_test.go:3: not here
--- SKIP: TestD (0.00s)
=== CONT  TestC
    c_test.go:5: exec: ENOSYS
    c_test.go:6: second message
--- FAIL: TestC (0.01s)
=== RUN   ExampleE
--- PASS: ExampleE (0.00s)
FAIL
warren: exit status 1
FAIL	p	1.0s
`
	r := parseTestLog("p", log)
	want := []string{"TestB: b_test.go:9: sub is wrong", "TestC: c_test.go:6: second message"}
	if r.pass != 2 || r.fail != 2 || r.skip != 1 || r.ok || r.abort != "" || !slices.Equal(r.failures, want) {
		t.Errorf("got %+v", r)
	}

	r = parseTestLog("p", "=== RUN   TestA\n--- PASS: TestA (0.00s)\nPASS\nok  \tp\t1.0s\n")
	if r.pass != 1 || !r.ok || r.abort != "" {
		t.Errorf("passing package: %+v", r)
	}

	// A binary that panics gives no verdict of its own.
	r = parseTestLog("p", "=== RUN   TestA\npanic: boom\n\ngoroutine 1 [running]:\nexit status 2\nFAIL\tp\t1.0s\n")
	if r.abort != "panic: boom" || r.ok {
		t.Errorf("panic: %+v", r)
	}
	// A machine that stops without one.
	r = parseTestLog("p", "=== RUN   TestA\nwarren: p: qemu: timed out\nFAIL\tp\t1.0s\n")
	if r.abort != "warren: p: qemu: timed out" {
		t.Errorf("stopped machine: %+v", r)
	}

	table := stdtestTable([]pkgResult{
		{pkg: "a", pass: 3, ok: true},
		{pkg: "b", pass: 1, fail: 1, skip: 2, failures: []string{"TestX: `x` failed", "TestY: @a\x00\x00"}},
		{pkg: "c", abort: "panic: boom"},
	})
	for _, line := range []string{
		"1 of 3 packages pass whole; 4 of 5 test functions pass (80.0), 2 skipped.",
		"| `a` | ok | 3 | 0 | 0 | 100.0 |",
		"| `b` | FAIL | 1 | 1 | 2 | 50.0 |",
		"| `c` | aborted | 0 | 0 | 0 | - |",
		"- `TestX: 'x' failed`",
		"- `TestY: @a??`",
		"- aborted: `panic: boom`",
	} {
		if !strings.Contains(table, line+"\n") {
			t.Errorf("table lacks %q:\n%s", line, table)
		}
	}
}
