package bench

import "testing"

func TestReplaceSection(t *testing.T) {
	doc := "# T\n\n## Measured (QEMU)\n\n- one\n- two\n\n## System calls\n\ntable\n"
	got, err := ReplaceSection(doc, "| a |\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# T\n\n## Measured (QEMU)\n\n- one\n- two\n\n" + BeginMarker + "\n| a |\n" + EndMarker + "\n\n## System calls\n\ntable\n"
	if got != want {
		t.Fatalf("first insertion:\n%s\nwant:\n%s", got, want)
	}
	again, err := ReplaceSection(got, "| b |\n| c |")
	if err != nil {
		t.Fatal(err)
	}
	want2 := "# T\n\n## Measured (QEMU)\n\n- one\n- two\n\n" + BeginMarker + "\n| b |\n| c |\n" + EndMarker + "\n\n## System calls\n\ntable\n"
	if again != want2 {
		t.Fatalf("replacement:\n%s\nwant:\n%s", again, want2)
	}
	last, err := ReplaceSection("# T\n## Measured\n\ntext\n", "x")
	if err != nil || last != "# T\n## Measured\n\ntext\n\n"+BeginMarker+"\nx\n"+EndMarker+"\n" {
		t.Errorf("section at the end: %q, %v", last, err)
	}
	if _, err := ReplaceSection("# T\n", "x"); err == nil {
		t.Error("no Measured section accepted")
	}
	if _, err := ReplaceSection(EndMarker+"\n"+BeginMarker+"\n## Measured\n", "x"); err == nil {
		t.Error("markers out of order accepted")
	}
}
