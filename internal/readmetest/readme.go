// Package readmetest runs every command the README shows in its tables, so that none of them
// rots: a renamed package, flag or make target fails the test that reads the README at test time.
// The parsing lives here, the running in readme_test.go.
package readmetest

import (
	"bufio"
	"regexp"
	"strings"
)

// Command is one backticked command of a README table.
type Command struct {
	Text string // as the README writes it (an elided "... -bench X ..." expanded)
	Line int    // 1-based line of the README
}

// runnable are the programs a README command may start with: what a new machine has after the
// README's setup (Go, Node and npm, make, curl). A lower-case word outside this list in a command
// column ("asl validate FILE") is a command that cannot run as written.
var runnable = map[string]bool{"make": true, "go": true, "curl": true, "npm": true, "npx": true, "echo": true}

var (
	codeSpanRE = regexp.MustCompile("`([^`]+)`")
	envRE      = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=\S*$`)
	wordRE     = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	flagRE     = regexp.MustCompile(`^(-[A-Za-z][\w-]*)\s`)
)

// Parse returns the commands in the column headed "command" of every table of a markdown
// document, and the spans there that look like commands but cannot run (a program that is not
// runnable, an elision without a command before it).
func Parse(markdown string) (cmds []Command, bad []Command) {
	col := -1
	var prev string
	sc := bufio.NewScanner(strings.NewReader(markdown))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			col, prev = -1, ""
			continue
		}
		cells := splitRow(line)
		if col < 0 {
			// The header row of a new table.
			col = -2
			for i, c := range cells {
				if strings.EqualFold(strings.TrimSpace(c), "command") {
					col = i
				}
			}
			continue
		}
		if col == -2 || col >= len(cells) || isSeparator(cells) {
			continue
		}
		for _, m := range codeSpanRE.FindAllStringSubmatch(cells[col], -1) {
			// A pipe is escaped inside a table cell; the command has a plain one.
			text := strings.ReplaceAll(strings.TrimSpace(m[1]), `\|`, "|")
			if strings.HasPrefix(text, "...") {
				full, ok := expand(prev, text)
				if !ok {
					bad = append(bad, Command{Text: text, Line: n})
					continue
				}
				text = full
			}
			prog := program(text)
			switch {
			case runnable[prog]:
				cmds = append(cmds, Command{Text: text, Line: n})
				prev = text
			case wordRE.MatchString(prog):
				bad = append(bad, Command{Text: text, Line: n})
			}
		}
	}
	return cmds, bad
}

// cdPrefixRE is a leading "cd DIR && ": a command of another module runs from its folder.
var cdPrefixRE = regexp.MustCompile(`^cd\s+\S+\s*&&\s*`)

// program is the first word after a leading "cd DIR &&" and VAR=value assignments.
func program(cmd string) string {
	for _, w := range strings.Fields(cdPrefixRE.ReplaceAllString(cmd, "")) {
		if !envRE.MatchString(w) {
			return w
		}
	}
	return ""
}

// expand turns "... -bench Map1000 ..." into the previous command with its -bench argument
// replaced: the README elides what repeats.
func expand(prev, elided string) (string, bool) {
	mid := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(elided, "..."), "..."))
	m := flagRE.FindStringSubmatch(mid + " ")
	if prev == "" || m == nil {
		return "", false
	}
	re := regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(m[1]) + `\s+\S+`)
	if !re.MatchString(prev) {
		return "", false
	}
	return re.ReplaceAllLiteralString(prev, " "+mid), true
}

func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	// A pipe inside a code span is not a cell border.
	var cells []string
	var b strings.Builder
	inCode := false
	for _, r := range line {
		switch {
		case r == '`':
			inCode = !inCode
		case r == '|' && !inCode:
			cells = append(cells, b.String())
			b.Reset()
			continue
		}
		b.WriteRune(r)
	}
	return append(cells, b.String())
}

func isSeparator(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(strings.TrimSpace(c), ":-") != "" {
			return false
		}
	}
	return true
}
