package statpage

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPageRoundTrip(t *testing.T) {
	var p Page
	p.Comment("made by a test\nsecond line")
	p.Add("kernel.Syscalls", 12)
	p.Add("nic.eth 0.link.RxPackets", 1<<63)
	p.Add("", 1)
	want := "# made by a test second line\nkernel.Syscalls 12\nnic.eth_0.link.RxPackets 9223372036854775808\n_ 1\n"
	if got := string(p.Bytes()); got != want {
		t.Fatalf("page:\n%s\nwant:\n%s", got, want)
	}
	m, err := Parse(string(p.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 3 || m["kernel.Syscalls"] != 12 || m["nic.eth_0.link.RxPackets"] != 1<<63 || m["_"] != 1 {
		t.Errorf("parsed %v", m)
	}
}

func TestParse(t *testing.T) {
	m, err := Parse("\n# comment\r\n  a 1 \r\nb\t2\n")
	if err != nil || len(m) != 2 || m["a"] != 1 || m["b"] != 2 {
		t.Errorf("Parse = %v, %v", m, err)
	}
	for _, bad := range []string{"a", "a 1 2", "a -1", "a x", "a 1\na 2", "a 18446744073709551616"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := uint64(0)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ln, func(p *Page) {
			n++ // one connection at a time here
			p.Add("served", n)
		})
	}()
	url := "http://" + ln.Addr().String() + "/counters?x=1"
	c := &http.Client{Timeout: 10 * time.Second}
	for i := uint64(1); i <= 2; i++ {
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(string(body))
		if resp.StatusCode != 200 || err != nil || m["served"] != i {
			t.Fatalf("GET %d: %s %q (%v)", i, resp.Status, body, err)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type %q", ct)
		}
	}
	resp, err := c.Post(url, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s", resp.Status)
	}
	ln.Close()
	if err := <-done; err == nil {
		t.Error("Serve returned nil after the listener closed")
	}
}

func TestReadHeadLimits(t *testing.T) {
	for _, head := range []string{
		"GET\r\n\r\n", // no target
		"GET / HTTP/1.1\r\nX: " + strings.Repeat("a", maxHead) + "\r\n\r\n", // too long
	} {
		a, b := net.Pipe()
		a.SetDeadline(time.Now().Add(5 * time.Second))
		done := make(chan struct{})
		go func() {
			serveConn(b, func(p *Page) { p.Add("x", 1) })
			close(done)
		}()
		go io.WriteString(a, head) // fails once serveConn gives up and closes
		got, err := io.ReadAll(a)
		<-done
		if err != nil || len(got) != 0 {
			t.Errorf("head %.40q: answered %q (%v), want the connection closed", head, got, err)
		}
		a.Close()
	}
}
