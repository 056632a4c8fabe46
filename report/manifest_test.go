package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReportOwnsItsFiles(t *testing.T) {
	r := loadFixture(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if _, err := Write(r.s, r.sweeps, r.rec, dir, Options{Format: "svg", Layer: 1}); err != nil {
		t.Fatal(err)
	}
	// The user's own files, one report file the user changed, and a manifest entry that
	// points outside the folder.
	write := func(path, content string) {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "notes.txt"), "mine")
	write(filepath.Join(parent, "victim.txt"), "outside")
	edited := filepath.Join(dir, "part5_ablation_layer1.svg")
	write(edited, "<svg>edited by hand</svg>")
	m := readManifest(dir)
	if m == nil || len(m.Files) != len(wantFiles("svg"))-1 {
		t.Fatalf("manifest %+v", m)
	}
	m.Files["../victim.txt"] = digest([]byte("outside"))
	js, _ := json.Marshal(m)
	write(filepath.Join(dir, ManifestName), string(js))

	if _, err := Write(r.s, r.sweeps, r.rec, dir, Options{Format: "svg", Layer: 0}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := append(wantFiles("svg"), "notes.txt", "part5_ablation_layer1.svg")
	for i, n := range want {
		want[i] = strings.ReplaceAll(n, "layer2", "layer0")
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("after a report of layer 0 over one of layer 1 the folder holds\n%v\nwant\n%v", names, want)
	}
	if _, err := os.Stat(filepath.Join(parent, "victim.txt")); err != nil {
		t.Errorf("a manifest entry outside the folder removed a file: %v", err)
	}
}

func TestWriteRefusesAFileAsFolder(t *testing.T) {
	r := loadFixture(t)
	file := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(file, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Write(r.s, r.sweeps, r.rec, file, Options{Layer: -1})
	if err == nil || !strings.Contains(err.Error(), file+": it is a file, not a folder") {
		t.Errorf("Write into a file: %v", err)
	}
}
