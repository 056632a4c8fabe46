package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"lesionui/demo"
	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/sentences"
)

const fixture = "../engine/encoder/testdata/tiny-bert"

// fixtureStudy is the study of the tiny-bert fixture with both sweeps, built once.
var fixtureStudy = sync.OnceValues(func() (*fixtureRun, error) {
	m, err := encoder.Load(filepath.FromSlash(fixture), nil)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	s, err := engine.New(ctx, m, sentences.Builtin(), engine.Options{}, nil)
	if err != nil {
		return nil, err
	}
	sweeps, err := s.Sweep(ctx, engine.Modes, nil)
	if err != nil {
		return nil, err
	}
	return &fixtureRun{s, sweeps, s.Record("tiny-bert", sweeps, 0, 0)}, nil
})

type fixtureRun struct {
	s      *engine.Study
	sweeps [][]engine.LesionResult
	rec    *engine.Record
}

func loadFixture(t *testing.T) *fixtureRun {
	t.Helper()
	r, err := fixtureStudy()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantFiles are the files of a report of the 3-layer fixture at its last layer.
func wantFiles(ext string) []string {
	return []string{
		"part2_tvalues_layer2." + ext, "part3_significant_per_layer." + ext, "part4_clean_logits." + ext,
		"part5_ablation_layer2." + ext, "part6_laminar_most." + ext, "part7_laminar_least." + ext,
		"part7_most_vs_least." + ext, "layers.csv", "units.csv", "logits.csv", "study.json", ManifestName,
	}
}

func TestWriteProducesEveryFile(t *testing.T) {
	r := loadFixture(t)
	for _, format := range []string{"png", "svg"} {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			paths, err := Write(r.s, r.sweeps, r.rec, dir, Options{Format: format, Layer: -1, ModelName: "tiny-bert"})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range paths {
				if filepath.Dir(p) != dir {
					t.Errorf("%s written outside %s", p, dir)
				}
				names = append(names, filepath.Base(p))
			}
			if want := wantFiles(format); !slices.Equal(names, want) {
				t.Fatalf("files %v, want %v", names, want)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != len(paths) {
				t.Errorf("%d entries in %s (temporary files left?), want %d", len(entries), dir, len(paths))
			}
			for _, p := range paths {
				switch filepath.Ext(p) {
				case ".png":
					checkPNG(t, p)
				case ".svg":
					checkSVG(t, p)
				}
			}
		})
	}
}

// checkPNG decodes a figure and checks its size: at least 9 × 3 inches at 150 dpi, landscape.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() < 9*pngDPI || b.Dy() < 3*pngDPI || b.Dx() > 20*pngDPI || b.Dx() <= b.Dy() {
		t.Errorf("%s is %d × %d pixels", path, b.Dx(), b.Dy())
	}
	// Not blank: some pixels are dark (text, edges) and some coloured.
	var dark, coloured int
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0x4000 && g < 0x4000 && bl < 0x4000 {
				dark++
			}
			if max(r, g, bl)-min(r, g, bl) > 0x1800 {
				coloured++
			}
		}
	}
	if dark < 200 || coloured < 50 {
		t.Errorf("%s: %d dark and %d coloured sampled pixels; looks blank", path, dark, coloured)
	}
}

// checkSVG parses a figure as XML and checks it is an SVG with text in it.
func checkSVG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var root string
	texts := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			if se.Name.Local == "text" {
				texts++
			}
		}
	}
	if root != "svg" || texts < 10 {
		t.Errorf("%s: root <%s>, %d text elements", path, root, texts)
	}
}

// readCSV reads a CSV file into its header and a column index.
func readCSV(t *testing.T, path string) ([][]string, map[string]int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	return rows[1:], col
}

func parse(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTablesAgreeWithStudy(t *testing.T) {
	r := loadFixture(t)
	dir := t.TempDir()
	if _, err := Write(r.s, r.sweeps, nil, dir, Options{Format: "svg", Layer: 1}); err != nil {
		t.Fatal(err)
	}
	s := r.s
	n, units := len(s.Layers), s.Model.Config.IntermediateSize

	layers, col := readCSV(t, filepath.Join(dir, "layers.csv"))
	if len(layers) != n {
		t.Fatalf("layers.csv has %d rows, want %d", len(layers), n)
	}
	totalSig := 0
	for l, row := range layers {
		lt := s.Layers[l]
		if row[col["layer"]] != strconv.Itoa(l) || row[col["units"]] != strconv.Itoa(units) ||
			row[col["sig_him"]] != strconv.Itoa(len(lt.A)) || row[col["sig_her"]] != strconv.Itoa(len(lt.B)) {
			t.Errorf("layers.csv row %d = %v; study: %d him, %d her of %d", l, row, len(lt.A), len(lt.B), units)
		}
		if got, want := parse(t, row[col["pct_her"]]), 100*float64(len(lt.B))/float64(units); got != want {
			t.Errorf("layer %d pct_her = %g, want %g", l, got, want)
		}
		most, least := r.sweeps[0][l], r.sweeps[1][l]
		for name, want := range map[string]float64{
			"most_magnitude": most.Magnitude, "most_her_impact": most.Impact[0], "most_him_impact": most.Impact[1],
			"least_magnitude": least.Magnitude, "least_her_impact": least.Impact[0], "least_him_impact": least.Impact[1],
		} {
			if got := parse(t, row[col[name]]); got != want {
				t.Errorf("layer %d %s = %g, want %g", l, name, got, want)
			}
		}
		totalSig += len(lt.A) + len(lt.B)
	}
	if totalSig == 0 {
		t.Fatal("the fixture has no significant unit in any layer; the class checks below test nothing")
	}

	rows, col := readCSV(t, filepath.Join(dir, "units.csv"))
	if len(rows) != n*units {
		t.Fatalf("units.csv has %d rows, want %d", len(rows), n*units)
	}
	counts := map[[2]int]int{}
	for i, row := range rows {
		l, u := i/units, i%units
		if row[col["layer"]] != strconv.Itoa(l) || row[col["unit"]] != strconv.Itoa(u) {
			t.Fatalf("units.csv row %d is layer %s unit %s, want %d %d", i, row[0], row[1], l, u)
		}
		lt := s.Layers[l]
		for name, want := range map[string]float64{"t": lt.T[u], "p": lt.P[u], "q": lt.Q[u]} {
			if got := parse(t, row[col[name]]); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("layer %d unit %d %s = %g, want %g", l, u, name, got, want)
			}
		}
		class := row[col["class"]]
		want := "ns"
		switch {
		case slices.Contains(lt.A, u):
			want = "him"
			counts[[2]int{l, 0}]++
		case slices.Contains(lt.B, u):
			want = "her"
			counts[[2]int{l, 1}]++
		}
		if class != want {
			t.Errorf("layer %d unit %d class %q, want %q (t %g, q %g)", l, u, class, want, lt.T[u], lt.Q[u])
		}
		if class == "him" && !(lt.T[u] > 0 && lt.Q[u] < .05) || class == "her" && !(lt.T[u] < 0 && lt.Q[u] < .05) {
			t.Errorf("layer %d unit %d is %q with t %g q %g", l, u, class, lt.T[u], lt.Q[u])
		}
	}
	for l, lt := range s.Layers {
		if counts[[2]int{l, 0}] != len(lt.A) || counts[[2]int{l, 1}] != len(lt.B) {
			t.Errorf("layer %d: units.csv classes %d him %d her, study %d %d", l, counts[[2]int{l, 0}], counts[[2]int{l, 1}], len(lt.A), len(lt.B))
		}
	}

	rows, col = readCSV(t, filepath.Join(dir, "logits.csv"))
	if len(rows) != 2*n*12 {
		t.Fatalf("logits.csv has %d rows, want %d", len(rows), 2*n*12)
	}
	texts := map[string]int{"clean": 0, "her_mask": 1, "him_mask": 2}
	words := map[string]int{"her": 0, "him": 1}
	seen := map[string]bool{}
	for _, row := range rows {
		mode := map[string]int{"most": 0, "least": 1}[row[col["mode"]]]
		l, _ := strconv.Atoi(row[col["layer"]])
		tx, p, k := texts[row[col["text"]]], words[row[col["position"]]], words[row[col["word"]]]
		key := strings.Join(row[:5], "/")
		if seen[key] {
			t.Errorf("logits.csv: %s twice", key)
		}
		seen[key] = true
		res := r.sweeps[mode][l]
		if got := parse(t, row[col["clean"]]); got != s.Clean[tx][p][k] {
			t.Errorf("%s clean %g, want %g", key, got, s.Clean[tx][p][k])
		}
		if got := parse(t, row[col["ablated"]]); got != res.Ablated[tx][p][k] {
			t.Errorf("%s ablated %g, want %g", key, got, res.Ablated[tx][p][k])
		}
		if got := parse(t, row[col["delta"]]); got != res.Delta[tx][p][k] {
			t.Errorf("%s delta %g, want %g", key, got, res.Delta[tx][p][k])
		}
	}
	// The her impact is the delta of the her-mask text, her position, her word.
	for mode := range 2 {
		for l := range n {
			if r.sweeps[mode][l].Impact[0] != r.sweeps[mode][l].Delta[1][0][0] {
				t.Errorf("mode %d layer %d: impact is not Delta[1][0][0]", mode, l)
			}
		}
	}
}

func TestStudyJSONIsTheRecord(t *testing.T) {
	r := loadFixture(t)
	dir := t.TempDir()
	if _, err := Write(r.s, r.sweeps, r.rec, dir, Options{Format: "svg", Layer: 0}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "study.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := r.rec.WriteJSON(&want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("study.json differs from Record.WriteJSON")
	}
	var doc map[string]any
	if err := json.Unmarshal(got, &doc); err != nil || doc["format"] != engine.RecordFormat {
		t.Errorf("study.json: format %v, err %v", doc["format"], err)
	}
	for _, name := range []string{"part2_tvalues_layer0.svg", "part5_ablation_layer0.svg"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("layer 0 report: %v", err)
		}
	}
}

func TestExportMakesATimestampedFolder(t *testing.T) {
	r := loadFixture(t)
	parent := t.TempDir()
	dir1, files, err := Export(r.s, r.sweeps, r.rec, parent, Options{Layer: -1})
	if err != nil {
		t.Fatal(err)
	}
	dir2, _, err := Export(r.s, r.sweeps, r.rec, parent, Options{Format: "svg", Layer: -1})
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^lesionui-report-\d{8}-\d{6}(-\d+)?$`)
	for _, d := range []string{dir1, dir2} {
		if filepath.Dir(d) != parent || !re.MatchString(filepath.Base(d)) {
			t.Errorf("export folder %s", d)
		}
	}
	if dir1 == dir2 {
		t.Error("two exports share a folder")
	}
	if len(files) != len(wantFiles("png")) {
		t.Errorf("export wrote %d files, want %d", len(files), len(wantFiles("png")))
	}
}

func TestBadInputsWriteNothing(t *testing.T) {
	r := loadFixture(t)
	cases := map[string]struct {
		sweeps [][]engine.LesionResult
		opt    Options
		want   string
	}{
		"layer":       {r.sweeps, Options{Layer: 3}, "layer 3 outside 0..2"},
		"negative":    {r.sweeps, Options{Layer: -2}, "layer -2"},
		"format":      {r.sweeps, Options{Format: "jpg"}, `format "jpg"`},
		"no sweeps":   {nil, Options{}, "Sweep"},
		"short sweep": {[][]engine.LesionResult{r.sweeps[0], r.sweeps[1][:2]}, Options{}, "least sweep has 2 layers"},
		"swapped":     {[][]engine.LesionResult{r.sweeps[1], r.sweeps[0]}, Options{}, "mode"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			_, err := Write(r.s, c.sweeps, r.rec, dir, c.opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s exists after a failed report", dir)
			}
			if _, _, err := Export(r.s, c.sweeps, r.rec, parent, c.opt); err == nil {
				t.Error("Export accepted it")
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("failed export left %v", entries)
			}
		})
	}
}

func TestUnwritableFolderLeavesNoFiles(t *testing.T) {
	r := loadFixture(t)
	dir := t.TempDir()
	// A folder in the way of one output file makes its rename fail after the others.
	if err := os.Mkdir(filepath.Join(dir, "units.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "units.csv", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(r.s, r.sweeps, r.rec, dir, Options{Format: "svg", Layer: -1}); err == nil {
		t.Fatal("no error with units.csv a non-empty folder")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".lesionui-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestDemoModelIsNamedInHeaders(t *testing.T) {
	r := loadFixture(t)
	if got := modelLabel(r.s, "tiny-bert"); got != "tiny-bert" {
		t.Errorf("label %q", got)
	}
	d, err := newStudy(r.s, r.sweeps, Options{Layer: -1, ModelName: demo.Name})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.figures() {
		if !strings.HasSuffix(f.header, "— demo model") {
			t.Errorf("%s header %q", f.name, f.header)
		}
	}
}

// TestWriteSample writes a report to $LESIONUI_REPORT_SAMPLE, for looking at the figures.
func TestWriteSample(t *testing.T) {
	dir := os.Getenv("LESIONUI_REPORT_SAMPLE")
	if dir == "" {
		t.Skip("LESIONUI_REPORT_SAMPLE not set")
	}
	r := loadFixture(t)
	for _, f := range []string{"png", "svg"} {
		if _, err := Write(r.s, r.sweeps, r.rec, dir, Options{Format: f, Layer: -1, ModelName: "tiny-bert"}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDegenerateStudy draws a study with infinite and undefined t-values, a layer without
// significant units, a layer where every unit is significant and lesions that change nothing.
func TestDegenerateStudy(t *testing.T) {
	r := loadFixture(t)
	s := *r.s
	units := s.Model.Config.IntermediateSize
	s.Layers = nil
	for l := range r.s.Layers {
		lt := engine.LayerTest{Layer: l, T: make([]float64, units), P: make([]float64, units), Q: make([]float64, units)}
		for u := range units {
			switch l {
			case 0: // constant units: ±Inf and NaN t
				lt.T[u] = []float64{math.Inf(1), math.Inf(-1), math.NaN(), 1}[u%4]
				lt.P[u], lt.Q[u] = 1, 1
				if u%4 < 2 {
					lt.P[u], lt.Q[u] = 0, 0
				}
			case 1: // nothing significant
				lt.P[u], lt.Q[u] = 1, 1
			case 2: // everything significant
				lt.T[u] = float64(u) - float64(units)/2 + 0.5
				lt.P[u], lt.Q[u] = 1e-9, 1e-8
			}
		}
		for u := range units {
			switch {
			case lt.Q[u] < .05 && lt.T[u] > 0:
				lt.A = append(lt.A, u)
			case lt.Q[u] < .05 && lt.T[u] < 0:
				lt.B = append(lt.B, u)
			}
		}
		s.Layers = append(s.Layers, lt)
	}
	sweeps := make([][]engine.LesionResult, len(engine.Modes))
	for i, m := range engine.Modes {
		for l := range s.Layers {
			sweeps[i] = append(sweeps[i], engine.LesionResult{Layer: l, Mode: m, Ablated: s.Clean})
		}
	}
	dirs := make([]string, len(s.Layers))
	for layer, format := range []string{"png", "svg", "svg"} {
		dirs[layer] = t.TempDir()
		if _, err := Write(&s, sweeps, nil, dirs[layer], Options{Format: format, Layer: layer}); err != nil {
			t.Fatalf("%s layer %d: %v", format, layer, err)
		}
	}
	dir := dirs[0]
	rows, col := readCSV(t, filepath.Join(dir, "units.csv"))
	for u, want := range []string{"+Inf", "-Inf", "NaN"} {
		if got := rows[u][col["t"]]; got != want {
			t.Errorf("unit %d t written %q, want %q", u, got, want)
		}
	}
	if rows[0][col["class"]] != "him" || rows[1][col["class"]] != "her" || rows[2][col["class"]] != "ns" {
		t.Errorf("classes of the infinite units: %v %v %v", rows[0], rows[1], rows[2])
	}
	_, ys, counts, hidden := tPoints(s.Layers[0])
	if hidden != units/4*3 || counts != [3]float64{float64(units / 4), float64(units / 4), float64(units / 2)} ||
		len(ys[engine.PrefersA])+len(ys[engine.PrefersB])+len(ys[engine.NotSignificant]) != units/4 {
		t.Errorf("layer 0: %d hidden, counts %v, %d drawn", hidden, counts, len(ys[engine.PrefersA])+len(ys[engine.PrefersB])+len(ys[engine.NotSignificant]))
	}
}
