// Package releasenotes turns Conventional Commits into release notes: breaking changes first, then
// one section per commit type in a fixed order, commits that follow no convention last, so nothing
// that reached production is left out of its notes.
package releasenotes

import (
	"fmt"
	"regexp"
	"strings"
)

// Commit is one commit as git prints it: its hash and its full message.
type Commit struct {
	Hash    string
	Message string
}

// Change is a commit read as a Conventional Commit.
type Change struct {
	Hash        string
	Type        string // "" when the subject follows no convention
	Scope       string
	Description string
	// Breaking holds what breaks: the BREAKING CHANGE footer, or the description when only "!" marks it.
	Breaking string
}

// header is `type(scope)!: description`; types are lower-case words as the convention shows them.
var header = regexp.MustCompile(`^([a-zA-Z]+)(?:\(([^()]*)\))?(!)?: (.+)$`)

// breakingFooter matches both spellings the specification allows.
var breakingFooter = regexp.MustCompile(`(?m)^BREAKING[ -]CHANGE: *(.*)$`)

// Parse reads one commit. A subject that follows no convention still yields a Change, with no type.
func Parse(c Commit) Change {
	msg := strings.TrimSpace(strings.ReplaceAll(c.Message, "\r\n", "\n"))
	subject, body, _ := strings.Cut(msg, "\n")
	subject = strings.TrimSpace(subject)
	ch := Change{Hash: c.Hash, Description: subject}
	m := header.FindStringSubmatch(subject)
	if m == nil {
		return ch
	}
	ch.Type = strings.ToLower(m[1])
	ch.Scope = strings.TrimSpace(m[2])
	ch.Description = strings.TrimSpace(m[4])
	if f := breakingFooter.FindStringSubmatch(body); f != nil {
		// The footer's text runs on until a blank line.
		text := f[1]
		rest := strings.TrimPrefix(body[strings.Index(body, f[0])+len(f[0]):], "\n")
		for line := range strings.SplitSeq(rest, "\n") {
			if strings.TrimSpace(line) == "" {
				break
			}
			text += " " + strings.TrimSpace(line)
		}
		ch.Breaking = strings.TrimSpace(text)
	}
	if m[3] == "!" && ch.Breaking == "" {
		ch.Breaking = ch.Description
	}
	return ch
}

// section is one heading of the notes and the commit types it gathers.
type section struct {
	title string
	types []string
}

// sections fixes the order readers scan in: what users get, then what was repaired, then the rest.
var sections = []section{
	{"Features", []string{"feat"}},
	{"Bug fixes", []string{"fix"}},
	{"Performance", []string{"perf"}},
	{"Security", []string{"security", "sec"}},
	{"Reverts", []string{"revert"}},
	{"Refactoring", []string{"refactor"}},
	{"Documentation", []string{"docs"}},
	{"Tests", []string{"test"}},
	{"Build and delivery", []string{"build", "ci"}},
	{"Chores", []string{"chore", "style"}},
}

// Render writes the notes as markdown. title heads them (e.g. the release name); an empty range
// says so rather than printing an empty document.
func Render(title string, commits []Commit) string {
	changes := make([]Change, 0, len(commits))
	for _, c := range commits {
		changes = append(changes, Parse(c))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", title)
	if len(changes) == 0 {
		b.WriteString("\nNo changes since the previous release.\n")
		return b.String()
	}
	var breaking []Change
	for _, c := range changes {
		if c.Breaking != "" {
			breaking = append(breaking, c)
		}
	}
	if len(breaking) > 0 {
		b.WriteString("\n## Breaking changes\n\n")
		for _, c := range breaking {
			fmt.Fprintf(&b, "- %s%s (%s)\n", scopePrefix(c), c.Breaking, short(c.Hash))
		}
	}
	known := map[string]bool{}
	for _, s := range sections {
		var items []Change
		for _, t := range s.types {
			known[t] = true
			for _, c := range changes {
				if c.Type == t {
					items = append(items, c)
				}
			}
		}
		writeSection(&b, s.title, items)
	}
	var other []Change
	for _, c := range changes {
		if !known[c.Type] {
			other = append(other, c)
		}
	}
	writeSection(&b, "Other changes", other)
	return b.String()
}

func writeSection(b *strings.Builder, title string, items []Change) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## %s\n\n", title)
	for _, c := range items {
		fmt.Fprintf(b, "- %s%s (%s)\n", scopePrefix(c), c.Description, short(c.Hash))
	}
}

func scopePrefix(c Change) string {
	if c.Scope == "" {
		return ""
	}
	return "**" + c.Scope + ":** "
}

func short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}

// Separators for git log's --format: unit separator between hash and message, record separator
// after each commit; neither appears in a commit message typed by a person.
const (
	fieldSep  = "\x1f"
	recordSep = "\x1e"
)

// LogFormat is the git log --format that SplitLog reads.
const LogFormat = "%H" + fieldSep + "%B" + recordSep

// SplitLog reads the output of git log --format=LogFormat.
func SplitLog(out string) ([]Commit, error) {
	var commits []Commit
	for rec := range strings.SplitSeq(out, recordSep) {
		rec = strings.TrimLeft(rec, "\n")
		if strings.TrimSpace(rec) == "" {
			continue
		}
		hash, msg, ok := strings.Cut(rec, fieldSep)
		if !ok {
			return nil, fmt.Errorf("git log record without a hash separator: %q", rec)
		}
		commits = append(commits, Commit{Hash: hash, Message: msg})
	}
	return commits, nil
}
