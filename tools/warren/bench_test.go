package main

import (
	"slices"
	"testing"
	"time"
)

func TestParseBench(t *testing.T) {
	e, _, _ := testEnv()
	o, err := parseBench(e, []string{"-runs", "5", "-nic", "e1000", "-d", "3s", "-w", "README.md"})
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Runs != 5 || !slices.Equal(o.cfg.NICs, []string{"e1000"}) || o.cfg.Load.Duration != 3*time.Second || o.w != "README.md" {
		t.Errorf("parsed %+v", o)
	}
	if o.cfg.Command != "warren bench -runs 5 -nic e1000 -d 3s -w README.md" {
		t.Errorf("command %q", o.cfg.Command)
	}
	o, err = parseBench(e, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Runs != 3 || len(o.cfg.NICs) != 2 || o.cfg.Load.Threads != 2 || o.cfg.Load.Conns != 32 || o.cfg.Small != "32M" || o.cfg.CPUs != 1 || o.cfg.Command != "warren bench" {
		t.Errorf("defaults %+v", o.cfg)
	}
	o, err = parseBench(e, []string{"-smp", "2", "-only", "scaling,httpd"})
	if err != nil || o.cfg.CPUs != 2 || !slices.Equal(o.cfg.Only, []string{"scaling", "httpd"}) {
		t.Errorf("-smp 2 -only scaling,httpd: %v, %+v", err, o)
	}
	o, err = parseBench(e, []string{"-runs", "0", "-profile", "p.txt", "-profile-of", "ring3", "-only", "ring3,linux"})
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Runs != 0 || o.cfg.ProfileOf != "ring3" || !slices.Equal(o.cfg.Only, []string{"ring3", "linux"}) {
		t.Errorf("parsed %+v", o.cfg)
	}
	for _, bad := range [][]string{{"-runs", "0"}, {"extra"}, {"-d", "10ms"}, {"-only", "ring3,nope"}, {"-profile", "p", "-profile-of", "nope"}, {"-runs", "-1", "-profile", "p"}, {"-smp", "0"}} {
		if _, err := parseBench(e, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
