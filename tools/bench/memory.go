package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Memory is what a guest's /stats page says about memory, in MiB; NaN
// when the page does not tell.
type Memory struct {
	GoSys float64 // the Go runtime's MemStats.Sys ("total from OS")
	Used  float64 // the whole guest: Linux MemTotal-MemAvailable, Warren total-free RAM of sysinfo(2)
}

var (
	// httpd's memStats line: "... total from OS 11.7 MiB".
	goSysRe = regexp.MustCompile(`total from OS ([0-9.]+) MiB`)
	// The Linux shim's line: "meminfo: ... used 40.0 MiB".
	meminfoRe = regexp.MustCompile(`(?m)^meminfo:.* used ([0-9.]+) MiB`)
	// Warren's kernel figures, if httpd prints sysinfo(2)'s RAM: a line
	// naming sysinfo or RAM with "total N MiB" and "free N MiB".
	ramLineRe  = regexp.MustCompile(`(?i)sysinfo|\bram\b`)
	ramTotalRe = regexp.MustCompile(`(?i)total\D*?([0-9.]+) MiB`)
	ramFreeRe  = regexp.MustCompile(`(?i)free\D*?([0-9.]+) MiB`)
)

// parseMemory reads a /stats page.
func parseMemory(page string) Memory {
	m := Memory{GoSys: math.NaN(), Used: math.NaN()}
	if s := goSysRe.FindStringSubmatch(page); s != nil {
		m.GoSys, _ = strconv.ParseFloat(s[1], 64)
	}
	if s := meminfoRe.FindStringSubmatch(page); s != nil {
		m.Used, _ = strconv.ParseFloat(s[1], 64)
	} else {
		m.Used = kernelUsed(page)
	}
	return m
}

// kernelUsed finds the RAM line of Warren's /stats: total less free.
func kernelUsed(page string) float64 {
	for _, line := range strings.Split(page, "\n") {
		if !ramLineRe.MatchString(line) {
			continue
		}
		t, f := ramTotalRe.FindStringSubmatch(line), ramFreeRe.FindStringSubmatch(line)
		if t == nil || f == nil {
			continue
		}
		total, err1 := strconv.ParseFloat(t[1], 64)
		free, err2 := strconv.ParseFloat(f[1], 64)
		if err1 == nil && err2 == nil {
			return total - free
		}
	}
	return math.NaN()
}

// fetchStats gets the guest's /stats page.
func fetchStats(ctx context.Context, dial dialFunc) (string, error) {
	client := &http.Client{
		Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true},
		Timeout:   30 * time.Second,
	}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+guestIP+"/stats", nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /stats: %s", resp.Status)
	}
	return string(body), nil
}
