// Package deliverymetrics computes the four delivery metrics from the runs of the deploy workflow
// as GitHub's REST API lists them (GET /repos/{owner}/{repo}/actions/workflows/{id}/runs).
//
// A successful run is a production deployment: the train runs dev, the acceptance suite, qa and
// prod in one run and stops at the first failed stage. A failed run is a failure of the delivery
// path. Cancelled and skipped runs are neither: the concurrency group cancels runs that a newer
// commit superseded, and that newer run ships their commits.
package deliverymetrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Run is the part of a workflow run the metrics read.
type Run struct {
	ID         int64     `json:"id"`
	Event      string    `json:"event"`
	HeadSHA    string    `json:"head_sha"`
	Status     string    `json:"status"`
	Conclusion string    `json:"conclusion"`
	CreatedAt  time.Time `json:"created_at"`
	// UpdatedAt is when a completed run finished (the API has no separate completion time).
	UpdatedAt  time.Time `json:"updated_at"`
	HeadCommit *struct {
		Timestamp time.Time `json:"timestamp"`
	} `json:"head_commit"`
}

// committed is when the run's commit was made; a run without its commit counts from its creation.
func (r Run) committed() time.Time {
	if r.HeadCommit != nil && !r.HeadCommit.Timestamp.IsZero() {
		return r.HeadCommit.Timestamp
	}
	return r.CreatedAt
}

// ReadRuns reads what `gh api --paginate` prints: API pages ({"workflow_runs": [...]}) one after
// another, or single run objects (with --jq '.workflow_runs[]'), in any mix.
func ReadRuns(r io.Reader) ([]Run, error) {
	dec := json.NewDecoder(r)
	var runs []Run
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			return runs, nil
		} else if err != nil {
			return nil, fmt.Errorf("read workflow runs: %w", err)
		}
		var page struct {
			WorkflowRuns *[]Run `json:"workflow_runs"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, fmt.Errorf("read workflow runs: %w", err)
		}
		if page.WorkflowRuns != nil {
			runs = append(runs, *page.WorkflowRuns...)
			continue
		}
		var run Run
		if err := json.Unmarshal(raw, &run); err != nil {
			return nil, fmt.Errorf("read workflow run: %w", err)
		}
		if run.ID == 0 {
			return nil, fmt.Errorf("read workflow runs: %.80s is neither a page of runs nor a run", raw)
		}
		runs = append(runs, run)
	}
}

// Metrics are the four metrics over a window of time.
type Metrics struct {
	From, To time.Time

	// Deployments counts successful deploy runs that finished in the window.
	Deployments int
	// LeadTimes holds, per commit shipped in the window, the time from the commit to the end of
	// the first successful deploy that carried it (its own run or a later one), shortest first.
	LeadTimes []time.Duration
	// Failures counts failure episodes that began in the window: a failed run after a success (or
	// at the start); further failures before the next success belong to the same episode.
	Failures int
	// Recoveries holds, per episode that ended in the window, the time from its first failed run
	// to the next successful one.
	Recoveries []time.Duration
	// Failing is whether the window ends inside a failure episode.
	Failing bool
	// Uptime is the time in the window outside failure episodes.
	Uptime time.Duration
}

// Compute derives the metrics over [from, to] from runs in any order.
func Compute(runs []Run, from, to time.Time) Metrics {
	m := Metrics{From: from, To: to}
	var done []Run
	for _, r := range runs {
		if r.Status == "completed" && (r.Conclusion == "success" || r.Conclusion == "failure") {
			done = append(done, r)
		}
	}
	slices.SortStableFunc(done, func(a, b Run) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	in := func(t time.Time) bool { return !t.Before(from) && !t.After(to) }

	var successes []Run
	for _, r := range done {
		if r.Conclusion == "success" {
			successes = append(successes, r)
			if in(r.UpdatedAt) {
				m.Deployments++
			}
		}
	}
	m.LeadTimes = leadTimes(runs, successes, in)

	// Walk the runs in the order they finished; a failure opens an episode, a success closes it.
	var failingSince time.Time
	var down time.Duration
	for _, r := range done {
		if r.UpdatedAt.After(to) {
			break
		}
		switch {
		case r.Conclusion == "failure" && failingSince.IsZero():
			failingSince = r.UpdatedAt
			if in(r.UpdatedAt) {
				m.Failures++
			}
		case r.Conclusion == "success" && !failingSince.IsZero():
			if in(r.UpdatedAt) {
				m.Recoveries = append(m.Recoveries, r.UpdatedAt.Sub(failingSince))
				down += r.UpdatedAt.Sub(maxTime(failingSince, from))
			}
			failingSince = time.Time{}
		}
	}
	if !failingSince.IsZero() {
		m.Failing = true
		down += to.Sub(maxTime(failingSince, from))
	}
	m.Uptime = to.Sub(from) - down
	return m
}

// leadTimes gives each commit that a run was started for the time until the first successful
// deploy of it or of a later commit finished, when that was inside the window. Runs started by
// hand (workflow_dispatch: a rollback to an earlier build) are left out: their head commit is the
// tip of main, not what they ship.
func leadTimes(runs, successes []Run, in func(time.Time) bool) []time.Duration {
	committed := map[string]time.Time{}
	for _, r := range runs {
		if r.HeadSHA == "" || r.Event == "workflow_dispatch" {
			continue
		}
		if t, ok := committed[r.HeadSHA]; !ok || r.committed().Before(t) {
			committed[r.HeadSHA] = r.committed()
		}
	}
	var out []time.Duration
	for _, at := range committed {
		var shipped time.Time
		for _, s := range successes { // in the order they finished: the first that carries it
			if s.Event != "workflow_dispatch" && !s.committed().Before(at) && !s.UpdatedAt.Before(at) {
				shipped = s.UpdatedAt
				break
			}
		}
		if !shipped.IsZero() && in(shipped) {
			out = append(out, shipped.Sub(at))
		}
	}
	slices.Sort(out)
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// PerWeek is the deployment frequency.
func (m Metrics) PerWeek() float64 {
	weeks := m.To.Sub(m.From).Hours() / (24 * 7)
	if weeks <= 0 {
		return 0
	}
	return float64(m.Deployments) / weeks
}

// MedianLeadTime is the median lead time (the lower middle for an even count); ok is false
// without any shipped commit.
func (m Metrics) MedianLeadTime() (time.Duration, bool) {
	if len(m.LeadTimes) == 0 {
		return 0, false
	}
	return m.LeadTimes[(len(m.LeadTimes)-1)/2], true
}

// MTBF is the mean time between failures: the time in the window outside failure episodes
// divided by the number of failures. ok is false without a failure.
func (m Metrics) MTBF() (time.Duration, bool) {
	if m.Failures == 0 {
		return 0, false
	}
	return m.Uptime / time.Duration(m.Failures), true
}

// MTTR is the mean time to recover from a failed run to the next successful one. ok is false
// when no failure ended in the window.
func (m Metrics) MTTR() (time.Duration, bool) {
	if len(m.Recoveries) == 0 {
		return 0, false
	}
	var sum time.Duration
	for _, d := range m.Recoveries {
		sum += d
	}
	return sum / time.Duration(len(m.Recoveries)), true
}

// Markdown renders the metrics for a job summary.
func (m Metrics) Markdown() string {
	var b strings.Builder
	days := int(m.To.Sub(m.From).Round(time.Hour).Hours() / 24)
	fmt.Fprintf(&b, "## Delivery metrics, %s to %s (%d days)\n\n", m.From.Format(time.DateOnly), m.To.Format(time.DateOnly), days)
	b.WriteString("| metric | value | how |\n| --- | --- | --- |\n")
	fmt.Fprintf(&b, "| deployment frequency | %d to production (%.1f per week) | successful deploy runs |\n", m.Deployments, m.PerWeek())
	lead := "no commit shipped"
	if med, ok := m.MedianLeadTime(); ok {
		lead = fmt.Sprintf("median %s over %d commits (longest %s)", Human(med), len(m.LeadTimes), Human(m.LeadTimes[len(m.LeadTimes)-1]))
	}
	fmt.Fprintf(&b, "| lead time for changes | %s | commit → end of the deploy that shipped it |\n", lead)
	mtbf := "no failure"
	if d, ok := m.MTBF(); ok {
		mtbf = fmt.Sprintf("%s (%d failures)", Human(d), m.Failures)
	}
	fmt.Fprintf(&b, "| mean time between failures | %s | time outside failures ÷ failed deploy runs (consecutive failures count once) |\n", mtbf)
	mttr := "nothing to recover from"
	if d, ok := m.MTTR(); ok {
		mttr = fmt.Sprintf("%s (%d recoveries)", Human(d), len(m.Recoveries))
	}
	if m.Failing {
		mttr += "; **the train is failing now**"
	}
	fmt.Fprintf(&b, "| mean time to recover | %s | first failed run → next successful run |\n", mttr)
	return b.String()
}

// Human prints a duration in days, hours and minutes, the resolution the metrics mean something at.
func Human(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "under a minute"
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	hours := d / time.Hour
	mins := (d - hours*time.Hour) / time.Minute
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%dh", hours))
	}
	if mins > 0 {
		parts = append(parts, fmt.Sprintf("%dm", mins))
	}
	return strings.Join(parts, " ")
}
