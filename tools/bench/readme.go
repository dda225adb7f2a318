package bench

import (
	"errors"
	"fmt"
	"strings"
)

// Markers are the README markers around the table made with cpus vCPUs
// a guest: one table per vCPU count, each replaced only by a run with
// that count.
func Markers(cpus int) (begin, end string) {
	if cpus <= 1 {
		return "<!-- bench-table -->", "<!-- end bench-table -->"
	}
	return fmt.Sprintf("<!-- bench-table smp%d -->", cpus), fmt.Sprintf("<!-- end bench-table smp%d -->", cpus)
}

// measuredHeading starts the README section the table goes into the first
// time.
const measuredHeading = "## Measured"

// ReplaceSection puts body between the markers of the table made with
// cpus vCPUs in doc. Without those markers, it adds them with body at the
// end of the "## Measured" section.
func ReplaceSection(doc, body string, cpus int) (string, error) {
	beginMark, endMark := Markers(cpus)
	body = strings.TrimRight(body, "\n") + "\n"
	b := strings.Index(doc, beginMark)
	e := strings.Index(doc, endMark)
	switch {
	case b >= 0 && e > b:
		return doc[:b+len(beginMark)] + "\n" + body + doc[e:], nil
	case b >= 0 || e >= 0:
		return "", errors.New("README: the bench-table markers are incomplete or out of order")
	}
	m := strings.Index(doc, "\n"+measuredHeading)
	if m < 0 {
		return "", errors.New("README: no " + measuredHeading + " section to put the table in")
	}
	m++
	end := len(doc)
	if next := strings.Index(doc[m+len(measuredHeading):], "\n## "); next >= 0 {
		end = m + len(measuredHeading) + next + 1
	}
	section := strings.TrimRight(doc[m:end], "\n") + "\n\n" + beginMark + "\n" + body + endMark + "\n"
	if end < len(doc) {
		section += "\n"
	}
	return doc[:m] + section + doc[end:], nil
}
