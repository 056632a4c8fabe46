// Package report writes a study as the notebook shows it: its figures (Parts 2 to 7, PNG or
// SVG, drawn with gonum/plot), CSV tables of every number behind them, and study.json, the
// record `lesionui run --json` writes.
//
// Files (L is the layer of Parts 2 and 5, the last one unless chosen):
//
//	part2_tvalues_layerL.EXT     t-value of every unit of layer L by class, and the pie of the classes
//	part3_significant_per_layer  % of significant units per layer, each direction
//	part4_clean_logits           the clean model's logits of both words at both masks
//	part5_ablation_layerL        clean − ablated logits for layer L's most-tuned lesion; clean vs ablated
//	part6_laminar_most           the most-tuned lesion of every layer: magnitude and signed impacts
//	part7_laminar_least          the same for the least-tuned control
//	part7_most_vs_least          both sweeps side by side
//	layers.csv                   per layer: significant counts and percentages, magnitude and impacts of both modes
//	units.csv                    per layer and unit: t, p, q and class (long format)
//	logits.csv                   per mode, layer, text, mask position and word: clean, ablated, delta
//	study.json                   engine.Record.WriteJSON
//	lesionui-report.json         the manifest: the files above, each with its SHA-256
//
// Everything is rendered in memory first and then written through files.Create (temporary
// files renamed into place once all are written), so a failure leaves no partial files
// behind. A report owns the files its manifest lists: a new report into the same folder
// replaces them and removes those it does not write again (the figures of another layer),
// unless they were changed since; every other file in the folder is the user's and is left
// alone.
package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"lesionui/demo"
	"lesionui/engine"
	"lesionui/internal/files"
)

// Options choose what a report shows.
type Options struct {
	// Format of the figures: "png" (150 dpi) or "svg"; "" means png.
	Format string
	// Layer is the layer of Parts 2 and 5; -1 means the last layer (the notebook's choice).
	Layer int
	// ModelName is how headers and study.json name the model (a Hub id or a path); "" uses
	// the model's directory. The demo model is always called "demo model" in headers.
	ModelName string
}

// file is one rendered output file.
type file struct {
	name string
	data []byte
}

// Write renders the report of s into dir (created if needed) and returns the paths written.
// sweeps are s.Sweep's results for engine.Modes ([mode][layer]); rec is the record to write
// as study.json, or nil to build it from s with zero timings.
func Write(s *engine.Study, sweeps [][]engine.LesionResult, rec *engine.Record, dir string, opt Options) ([]string, error) {
	if err := files.CheckDir(dir); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	files, err := render(s, sweeps, rec, opt)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return writeAll(dir, files)
}

// ExportPrefix starts the name of the folders Export creates.
const ExportPrefix = "lesionui-report-"

// Export writes the report into a new folder parentDir/lesionui-report-YYYYMMDD-HHMMSS (local
// time; "-2", "-3", … are appended if it exists) and returns the folder and the paths written.
// It needs the sweeps: run s.Sweep(ctx, engine.Modes, …) first. On failure the folder is
// removed.
func Export(s *engine.Study, sweeps [][]engine.LesionResult, rec *engine.Record, parentDir string, opt Options) (string, []string, error) {
	files, err := render(s, sweeps, rec, opt)
	if err != nil {
		return "", nil, err
	}
	base := filepath.Join(parentDir, ExportPrefix+time.Now().Format("20060102-150405"))
	dir := base
	for i := 2; ; i++ {
		err = os.Mkdir(dir, 0o755)
		if !errors.Is(err, os.ErrExist) || i > 100 {
			break
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
	if err != nil {
		return "", nil, fmt.Errorf("report: %w", err)
	}
	paths, err := writeAll(dir, files)
	if err != nil {
		os.Remove(dir) // empty unless a rename failed half-way
		return "", nil, err
	}
	return dir, paths, nil
}

// render checks the inputs and renders every file in memory.
func render(s *engine.Study, sweeps [][]engine.LesionResult, rec *engine.Record, opt Options) ([]file, error) {
	d, err := newStudy(s, sweeps, opt)
	if err != nil {
		return nil, err
	}
	format := opt.Format
	if format == "" {
		format = "png"
	}
	if format != "png" && format != "svg" {
		return nil, fmt.Errorf("report: unknown format %q (want png or svg)", opt.Format)
	}
	name := opt.ModelName
	if name == "" {
		name = s.Model.Dir
	}
	if rec == nil {
		rec = s.Record(name, sweeps, 0, 0)
	}
	sub := subtitle(s, rec)
	var files []file
	for _, fig := range d.figures() {
		b, err := renderFigure(fig, sub, format)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		files = append(files, file{fig.name + "." + format, b})
	}
	for _, t := range []struct {
		name string
		rows [][]string
	}{
		{"layers.csv", d.layersTable()},
		{"units.csv", d.unitsTable()},
		{"logits.csv", d.logitsTable()},
	} {
		b, err := table(t.rows)
		if err != nil {
			return nil, fmt.Errorf("report: %s: %w", t.name, err)
		}
		files = append(files, file{t.name, b})
	}
	var js bytes.Buffer
	if err := rec.WriteJSON(&js); err != nil {
		return nil, fmt.Errorf("report: study.json: %w", err)
	}
	return append(files, file{"study.json", js.Bytes()}), nil
}

// newStudy checks the study, its sweeps and the layer, and gathers what the figures need.
func newStudy(s *engine.Study, sweeps [][]engine.LesionResult, opt Options) (*study, error) {
	if s == nil || len(s.Layers) == 0 {
		return nil, errors.New("report: no study (or a study without layers)")
	}
	n := len(s.Layers)
	if len(sweeps) != len(engine.Modes) {
		return nil, fmt.Errorf("report: want the sweeps of %d modes (%v), got %d; run Study.Sweep(ctx, engine.Modes, …) first",
			len(engine.Modes), engine.Modes, len(sweeps))
	}
	d := &study{s: s, sweeps: sweeps, layer: opt.Layer, model: modelLabel(s, opt.ModelName)}
	for i, rs := range sweeps {
		if len(rs) != n {
			return nil, fmt.Errorf("report: the %s sweep has %d layers, the study %d", engine.Modes[i], len(rs), n)
		}
		for l, r := range rs {
			if r.Layer != l || r.Mode != engine.Modes[i] {
				return nil, fmt.Errorf("report: sweep %d entry %d is layer %d mode %s, want layer %d mode %s",
					i, l, r.Layer, r.Mode, l, engine.Modes[i])
			}
		}
		switch engine.Modes[i] {
		case engine.MostTuned:
			d.most = rs
		case engine.LeastTuned:
			d.least = rs
		}
	}
	if d.layer == -1 {
		d.layer = n - 1
	}
	if d.layer < 0 || d.layer >= n {
		return nil, fmt.Errorf("report: layer %d outside 0..%d (or -1 for the last)", opt.Layer, n-1)
	}
	return d, nil
}

// modelLabel is how figure headers name the model.
func modelLabel(s *engine.Study, name string) string {
	if name == demo.Name || demo.IsDemo(s.Model.Dir) {
		return "demo model"
	}
	if name == "" {
		return filepath.Base(s.Model.Dir)
	}
	return name
}

// subtitle is the grey line under every figure's header (which names the model): the contrast
// set and the statistics.
func subtitle(s *engine.Study, rec *engine.Record) string {
	act := map[string]string{"pre-gelu": "pre-GELU", "post-gelu": "post-GELU"}[rec.Activation]
	test := map[string]string{"student": "Student's t-test", "welch": "Welch's t-test"}[rec.TTest]
	corr := map[string]string{"bh": "Benjamini-Hochberg q", "bonferroni": "Bonferroni p"}[rec.Correction]
	return fmt.Sprintf("%s: %d %q vs %d %q sentences · %s, %s < %g · %s MLP expansion, %d layers × %d units",
		s.Set.Name, rec.Sentences.Counts[0], rec.Sentences.Words[0], rec.Sentences.Counts[1],
		rec.Sentences.Words[1], test, corr, rec.Alpha, act, len(s.Layers), s.Model.Config.IntermediateSize)
}

// ManifestName is the file in which a report lists the files it wrote.
const ManifestName = "lesionui-report.json"

// manifestFormat names the layout of the manifest.
const manifestFormat = "lesionui-report-files/1"

// maxManifestLen bounds the manifest read back from a folder.
const maxManifestLen = 1 << 20

// manifest is the content of ManifestName.
type manifest struct {
	Format string `json:"format"`
	// Files maps the name of each file the report wrote to the hex SHA-256 of its content.
	Files map[string]string `json:"files"`
}

// readManifest returns the manifest of an earlier report in dir, or nil if there is none or
// it cannot be read (then no file of that report is removed).
func readManifest(dir string) *manifest {
	b, err := files.ReadRegular(filepath.Join(dir, ManifestName), maxManifestLen)
	if err != nil {
		return nil
	}
	var m manifest
	if json.Unmarshal(b, &m) != nil || m.Format != manifestFormat {
		return nil
	}
	return &m
}

// digest is the hex SHA-256 of data.
func digest(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// writeAll writes every file and the manifest into dir, each through a temporary file, and
// renames them into place only once all are written; then it removes the files of an
// earlier report that this one did not write again. When a write fails, no file is changed;
// a rename failing part-way (rare: same folder) leaves the files renamed before it.
func writeAll(dir string, rendered []file) ([]string, error) {
	old := readManifest(dir)
	m := manifest{Format: manifestFormat, Files: map[string]string{}}
	for _, f := range rendered {
		m.Files[f.name] = digest(f.data)
	}
	js, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	all := append(slices.Clip(rendered), file{ManifestName, append(js, '\n')})
	outs := make([]*files.Output, 0, len(all))
	abort := func(outs []*files.Output) {
		for _, o := range outs {
			o.Abort()
		}
	}
	for _, f := range all {
		o, err := files.Create(filepath.Join(dir, f.name))
		if err == nil {
			outs = append(outs, o)
			_, err = o.Write(f.data)
		}
		if err != nil {
			abort(outs)
			return nil, fmt.Errorf("report: %w", err)
		}
	}
	paths := make([]string, len(all))
	for i, f := range all {
		paths[i] = filepath.Join(dir, f.name)
		if err := outs[i].Commit(); err != nil {
			abort(outs[i+1:])
			return nil, fmt.Errorf("report: %w", err)
		}
	}
	removeStale(dir, old, m)
	return paths, nil
}

// removeStale removes the files of the earlier report old that the new report m did not
// write, if they are still as that report wrote them. Names that are not plain file names
// of dir are ignored: a manifest cannot make a report delete anything outside its folder.
func removeStale(dir string, old *manifest, m manifest) {
	if old == nil {
		return
	}
	for name, sum := range old.Files {
		if _, again := m.Files[name]; again || name == ManifestName || !filepath.IsLocal(name) || filepath.Base(name) != name {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if b, err := files.ReadRegular(p, maxFileLen); err == nil && digest(b) == sum {
			os.Remove(p)
		}
	}
}

// maxFileLen bounds the earlier report files read back to compare with their digest.
const maxFileLen = 1 << 30
