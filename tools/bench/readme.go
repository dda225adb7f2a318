package bench

import (
	"errors"
	"strings"
)

// The README markers around the benchmark's table.
const (
	BeginMarker = "<!-- bench-table -->"
	EndMarker   = "<!-- end bench-table -->"
)

// measuredHeading starts the README section the table goes into the first
// time.
const measuredHeading = "## Measured"

// ReplaceSection puts body between the markers in doc. Without markers, it
// adds them with body at the end of the "## Measured" section.
func ReplaceSection(doc, body string) (string, error) {
	body = strings.TrimRight(body, "\n") + "\n"
	b := strings.Index(doc, BeginMarker)
	e := strings.Index(doc, EndMarker)
	switch {
	case b >= 0 && e > b:
		return doc[:b+len(BeginMarker)] + "\n" + body + doc[e:], nil
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
	section := strings.TrimRight(doc[m:end], "\n") + "\n\n" + BeginMarker + "\n" + body + EndMarker + "\n"
	if end < len(doc) {
		section += "\n"
	}
	return doc[:m] + section + doc[end:], nil
}
