package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap is the explorer's key bindings; it is the help.KeyMap of the help bar.
type keyMap struct {
	Nav                                     key.Binding // only for the help bar: Up and Down together
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Focus, FocusBack                        key.Binding
	Mode, Lesion, Text, Welch               key.Binding
	Sweep, Export, Demo, Help, Quit         key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Nav:       key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑↓", "layer")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "layer up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "layer down")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first layer")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last layer")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "layers up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "layers down")),
		Focus:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "pane")),
		FocusBack: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Mode:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "most/least")),
		Lesion:    key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "lesion")),
		Text:      key.NewBinding(key.WithKeys("1", "2", "3"), key.WithHelp("1/2/3", "test text")),
		Welch:     key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "Student/Welch")),
		Sweep:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sweep")),
		Export:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export")),
		Demo:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "open the demo model")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the help bar.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Nav, k.Focus, k.Mode, k.Lesion, k.Sweep, k.Help, k.Quit, k.Text, k.Welch, k.Export}
}

// FullHelp is the help shown by ?, with longer descriptions than the help bar's; it fits 80
// columns.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{describe(k.Focus, "next pane"), k.FocusBack, describe(k.Text, "test text"), k.Help, k.Quit},
		{describe(k.Mode, "most/least-tuned"), describe(k.Lesion, "lesion on/off"), describe(k.Welch, "Student/Welch"),
			describe(k.Sweep, "sweep all layers"), describe(k.Export, "export report")},
	}
}

// describe is b with a longer description.
func describe(b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
}
