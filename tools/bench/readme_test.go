package bench

import (
	"strings"
	"testing"
)

func TestReplaceSection(t *testing.T) {
	beginMark, endMark := Markers(1)
	doc := "# T\n\n## Measured (QEMU)\n\n- one\n- two\n\n## System calls\n\ntable\n"
	got, err := ReplaceSection(doc, "| a |\n", 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "# T\n\n## Measured (QEMU)\n\n- one\n- two\n\n" + beginMark + "\n| a |\n" + endMark + "\n\n## System calls\n\ntable\n"
	if got != want {
		t.Fatalf("first insertion:\n%s\nwant:\n%s", got, want)
	}
	again, err := ReplaceSection(got, "| b |\n| c |", 1)
	if err != nil {
		t.Fatal(err)
	}
	want2 := "# T\n\n## Measured (QEMU)\n\n- one\n- two\n\n" + beginMark + "\n| b |\n| c |\n" + endMark + "\n\n## System calls\n\ntable\n"
	if again != want2 {
		t.Fatalf("replacement:\n%s\nwant:\n%s", again, want2)
	}
	last, err := ReplaceSection("# T\n## Measured\n\ntext\n", "x", 1)
	if err != nil || last != "# T\n## Measured\n\ntext\n\n"+beginMark+"\nx\n"+endMark+"\n" {
		t.Errorf("section at the end: %q, %v", last, err)
	}
	if _, err := ReplaceSection("# T\n", "x", 1); err == nil {
		t.Error("no Measured section accepted")
	}
	if _, err := ReplaceSection(endMark+"\n"+beginMark+"\n## Measured\n", "x", 1); err == nil {
		t.Error("markers out of order accepted")
	}
}

// A table made at -smp 2 goes after the -smp 1 table, between its own
// markers, and replacing either leaves the other alone.
func TestReplaceSectionPerCPUs(t *testing.T) {
	one, _ := ReplaceSection("# T\n## Measured\n\ntext\n\n## Next\n", "one", 1)
	both, err := ReplaceSection(one, "two", 2)
	if err != nil {
		t.Fatal(err)
	}
	b1, e1 := Markers(1)
	b2, e2 := Markers(2)
	want := "# T\n## Measured\n\ntext\n\n" + b1 + "\none\n" + e1 + "\n\n" + b2 + "\ntwo\n" + e2 + "\n\n## Next\n"
	if both != want {
		t.Fatalf("got\n%s\nwant\n%s", both, want)
	}
	again, err := ReplaceSection(both, "ONE", 1)
	if err != nil || again != strings.Replace(want, "\none\n", "\nONE\n", 1) {
		t.Errorf("replacing the -smp 1 table: %v\n%s", err, again)
	}
	if b1 == b2 || strings.Contains(b2, b1) || strings.Contains(e2, e1) {
		t.Errorf("markers %q %q and %q %q overlap", b1, e1, b2, e2)
	}
}
