package tui

import (
	"math"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestScatterDrawsEveryBucket(t *testing.T) {
	const units, w, h = 4096, 47, 10
	ys := make([]float64, units)
	for i := range ys {
		ys[i] = 5
		if i%2 == 1 {
			ys[i] = -5
		}
	}
	lines := scatterChart(ys, func(i int) dotClass { return dotA }, w, h)
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	top, bottom := []rune(lines[0]), []rune(lines[h-2])
	for c := 7; c < w; c++ { // 4096 units in 80 dot columns: every column has both values
		if top[c] != '⠉' || bottom[c] != '⣀' {
			t.Fatalf("column %d: top %q bottom %q, want ⠉ and ⣀\n%s", c, top[c], bottom[c], strings.Join(lines, "\n"))
		}
	}
	if !strings.HasPrefix(lines[0], "   5.0┤") || !strings.HasPrefix(lines[h-2], "  -5.0┤") || !strings.HasSuffix(lines[h-1], "4095") {
		t.Errorf("axis labels:\n%s", strings.Join(lines, "\n"))
	}
}

func TestScatterClassPriority(t *testing.T) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.TrueColor)
	t.Cleanup(func() { lipgloss.SetColorProfile(prev) })
	ys := make([]float64, 100)
	for i := range ys {
		ys[i] = math.NaN()
	}
	// Units 0 and 1 share the top-left dot, 2 and 3 the bottom-left one; unit 99 is alone.
	ys[0], ys[1], ys[2], ys[3], ys[99] = 1, 1, -1, -1, 1
	cls := map[int]dotClass{0: dotNS, 1: dotA, 2: dotB, 3: dotNS, 99: dotNS}
	lines := scatterChart(ys, func(i int) dotClass { return cls[i] }, 7+4, 4)
	for i, want := range map[int]string{
		0: styles.dim.Render("   1.0┤") + styles.a.Render("⠁") + classStyle(dotNone).Render("  ") + styles.ns.Render("⠈"),
		1: styles.dim.Render("     0┤") + classStyle(dotNone).Render("┈┈┈┈"),
		2: styles.dim.Render("  -1.0┤") + styles.b.Render("⡀") + classStyle(dotNone).Render("   "),
	} {
		if lines[i] != want {
			t.Errorf("line %d = %q, want %q", i, lines[i], want)
		}
	}
}

func TestBarChartSigned(t *testing.T) {
	plain := lipgloss.NewStyle()
	lines := barChart([]series{{[]float64{2, -1, 0.5}, plain}}, -1, 2, "%.0f", 1, 7+3*2, 4)
	want := []string{
		"     2┤█",
		"     0┤█   ▄",
		"    -1┤  █",
		"       0 1 2",
	}
	for i := range want {
		if strings.TrimRight(lines[i], " ") != strings.TrimRight(want[i], " ") {
			t.Errorf("line %d = %q, want %q", i, lines[i], want[i])
		}
	}
}

func TestHbar(t *testing.T) {
	plain := lipgloss.NewStyle()
	for _, c := range []struct {
		v    float64
		want string
	}{
		{1, "     █████"},
		{-0.5, "  ▐██│    "},
		{0.1, "     ▌    "},
		{0, "     │    "},
	} {
		if got := hbar(c.v, -1, 1, 10, plain); got != c.want {
			t.Errorf("hbar(%g) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := hbar(-2, -2, 0, 4, plain); got != "████" {
		t.Errorf("all-negative scale: %q", got)
	}
}
