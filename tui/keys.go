package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap is the explorer's key bindings. The footer shows those of the focused pane and the
// global ones that fit; help (?) lists them all.
type keyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown, Jump  key.Binding
	Focus, FocusBack, Zoom                         key.Binding
	Mode, Lesion, Text, Welch, Background          key.Binding
	Units, MoreUnits, FewerUnits, Ablate           key.Binding
	Baseline, Eval, TopK, Mark, ClearMarks         key.Binding
	UnitLeft, UnitRight, UnitFarLeft, UnitFarRight key.Binding
	MostTuned, LeastTuned, RankUp, RankDown        key.Binding
	Export, Demo, Help, Dismiss, Quit              key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "layer up")),
		Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "layer down")),
		Top:          key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first layer")),
		Bottom:       key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last layer")),
		PageUp:       key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "a quarter of the layers up")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "a quarter of the layers down")),
		Jump:         key.NewBinding(key.WithKeys(":"), key.WithHelp(":N⏎", "jump to layer N")),
		Focus:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		FocusBack:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Zoom:         key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom the focused pane")),
		Mode:         key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "most-tuned ↔ least-tuned lesion")),
		Lesion:       key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "lesion on/off")),
		Text:         key.NewBinding(key.WithKeys("1", "2", "3"), key.WithHelp("1/2/3", "test text: clean, 1st, 2nd masked")),
		Welch:        key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "Student ↔ Welch t-test")),
		Background:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "background work on every layer on/off (on: what failed is retried)")),
		Units:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "units lesioned: the significant ones ↔ the top K by |t| of each sign")),
		MoreUnits:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "more units: K up (1, 2, 5, 10, 20, 50, …)")),
		FewerUnits:   key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "fewer units: K down")),
		Ablate:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "ablation: zero → mean → scale → patch")),
		Baseline:     key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "random-unit baseline on/off (the band on the sweep)")),
		Eval:         key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "evaluation set on/off (its pane)")),
		TopK:         key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "top-k predictions on/off (their pane)")),
		Mark:         key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "mark / unmark the layer: marked layers are lesioned together")),
		ClearMarks:   key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "unmark every layer")),
		UnitLeft:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous unit")),
		UnitRight:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next unit")),
		UnitFarLeft:  key.NewBinding(key.WithKeys("H", "shift+left"), key.WithHelp("H", "one chart column of units left")),
		UnitFarRight: key.NewBinding(key.WithKeys("L", "shift+right"), key.WithHelp("L", "one chart column of units right")),
		MostTuned:    key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "most-tuned unit (largest |t|)")),
		LeastTuned:   key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "least-tuned unit (smallest |t|)")),
		RankUp:       key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next more-tuned unit")),
		RankDown:     key.NewBinding(key.WithKeys("["), key.WithHelp("[", "next less-tuned unit")),
		Export:       key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export figures, tables, study.json")),
		Demo:         key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "open the demo model")),
		Help:         key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Dismiss:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "dismiss message, close help, unzoom")),
		Quit:         key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// hint is a key and a short description for the footer.
type hint struct{ key, desc string }
