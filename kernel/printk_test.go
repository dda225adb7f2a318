package kernel

import "testing"

func TestLine(t *testing.T) {
	var l line
	l.s("a=").hex(0).s(" b=").hex(0xdeadbeef).s(" c=").u(0).s(" d=").u(1234567890).s(" e=").i(-42)
	if got := string(l.buf[:l.n]); got != "a=0x0 b=0xdeadbeef c=0 d=1234567890 e=-42" {
		t.Fatalf("got %q", got)
	}
	long := make([]byte, 400)
	l.n = 0
	l.b(long)
	if l.n != len(l.buf) {
		t.Fatalf("overflow: n=%d", l.n)
	}
}
