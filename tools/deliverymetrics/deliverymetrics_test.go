package deliverymetrics

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The fixture (testdata/runs.json, two API pages, newest first) is one week of the deploy
// workflow: a deploy, a failure fixed by the next commit (a cancelled run in between), two failures
// in a row fixed by a third commit, a run still going, and a deploy before the window.
func fixture(t *testing.T) []Run {
	t.Helper()
	f, err := os.Open("testdata/runs.json")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	runs, err := ReadRuns(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 9 {
		t.Fatalf("read %d runs from two pages, want 9", len(runs))
	}
	return runs
}

func TestComputeOnAWeekOfRuns(t *testing.T) {
	m := Compute(fixture(t), at("2026-11-01T00:00:00Z"), at("2026-11-08T00:00:00Z"))

	if m.Deployments != 3 || m.PerWeek() != 3 {
		t.Errorf("deployments %d (%.2f per week), want 3 (3.00)", m.Deployments, m.PerWeek())
	}
	// a: 1h; b, c and d ship with d's deploy: 5h, 3h, 2h; e, f and g with g's: 5h, 3h, 1h.
	// h is not shipped yet; z shipped before the window.
	h := time.Hour
	if want := []time.Duration{h, h, 2 * h, 3 * h, 3 * h, 5 * h, 5 * h}; !slices.Equal(m.LeadTimes, want) {
		t.Errorf("lead times %v, want %v", m.LeadTimes, want)
	}
	if med, _ := m.MedianLeadTime(); med != 3*h {
		t.Errorf("median lead time %v, want 3h", med)
	}
	if m.Failures != 2 || m.Failing {
		t.Errorf("failures %d (failing now: %v), want 2 episodes, recovered", m.Failures, m.Failing)
	}
	if mttr, _ := m.MTTR(); mttr != 4*h {
		t.Errorf("MTTR %v, want 4h (10:00→14:00 and 09:00→13:00)", mttr)
	}
	// 7 days less 8 hours of failure, over 2 failures.
	if mtbf, _ := m.MTBF(); mtbf != 80*h {
		t.Errorf("MTBF %v, want 80h", mtbf)
	}
	md := m.Markdown()
	for _, want := range []string{
		"| deployment frequency | 3 to production (3.0 per week)",
		"| lead time for changes | median 3h over 7 commits (longest 5h)",
		"| mean time between failures | 3d 8h (2 failures)",
		"| mean time to recover | 4h (2 recoveries)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
}

func TestAWindowEndingInAFailure(t *testing.T) {
	runs := fixture(t)
	// The window ends on Nov 5 at noon: the second episode (from 09:00) is not over.
	m := Compute(runs, at("2026-11-05T00:00:00Z"), at("2026-11-05T12:00:00Z"))
	if m.Deployments != 0 || m.Failures != 1 || !m.Failing || len(m.Recoveries) != 0 {
		t.Fatalf("metrics %+v, want one open failure and no deployment", m)
	}
	if mtbf, _ := m.MTBF(); mtbf != 9*time.Hour {
		t.Errorf("MTBF %v, want 9h (midnight to 09:00)", mtbf)
	}
	if _, ok := m.MTTR(); ok {
		t.Error("MTTR defined without a recovery")
	}
	if md := m.Markdown(); !strings.Contains(md, "the train is failing now") || !strings.Contains(md, "no commit shipped") {
		t.Errorf("summary:\n%s", md)
	}
}

func TestNoFailuresLeavesMTBFUndefined(t *testing.T) {
	m := Compute(fixture(t), at("2026-11-02T00:00:00Z"), at("2026-11-03T00:00:00Z"))
	if _, ok := m.MTBF(); ok || m.Deployments != 1 {
		t.Errorf("metrics %+v: want one deployment and no MTBF", m)
	}
	if !strings.Contains(m.Markdown(), "| mean time between failures | no failure") {
		t.Error(m.Markdown())
	}
}

func TestReadRunsAcceptsSingleRunObjects(t *testing.T) {
	in := `{"id":1,"head_sha":"a","status":"completed","conclusion":"success","updated_at":"2026-11-02T11:00:00Z"}
{"id":2,"head_sha":"b","status":"completed","conclusion":"failure","updated_at":"2026-11-02T12:00:00Z"}`
	runs, err := ReadRuns(strings.NewReader(in))
	if err != nil || len(runs) != 2 || runs[1].Conclusion != "failure" {
		t.Fatalf("ReadRuns = %+v, %v", runs, err)
	}
	for _, bad := range []string{`{"message":"Not Found"}`, `[1,2]`, `{"id":1`} {
		if _, err := ReadRuns(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadRuns(%s) accepted it", bad)
		}
	}
}

func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		20 * time.Second:                  "under a minute",
		90 * time.Minute:                  "1h 30m",
		80 * time.Hour:                    "3d 8h",
		49*time.Hour + 29*time.Second + 1: "2d 1h",
	} {
		if got := Human(d); got != want {
			t.Errorf("Human(%v) = %q, want %q", d, got, want)
		}
	}
}

// A rollback started by hand deploys an earlier build while its head commit is main's tip: it
// counts as a deployment (and recovers a failure) but ships no commit.
func TestARollbackShipsNoCommit(t *testing.T) {
	run := func(id int64, event, sha, concl, committed, finished string) Run {
		r := Run{ID: id, Event: event, HeadSHA: sha, Status: "completed", Conclusion: concl, UpdatedAt: at(finished)}
		r.HeadCommit = &struct {
			Timestamp time.Time `json:"timestamp"`
		}{at(committed)}
		return r
	}
	runs := []Run{
		run(1, "workflow_run", "a", "failure", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z"),
		run(2, "workflow_dispatch", "a", "success", "2026-11-02T10:00:00Z", "2026-11-02T11:30:00Z"),
		run(3, "workflow_run", "b", "success", "2026-11-02T12:00:00Z", "2026-11-02T13:00:00Z"),
	}
	m := Compute(runs, at("2026-11-02T00:00:00Z"), at("2026-11-03T00:00:00Z"))
	if m.Deployments != 2 || m.Failures != 1 || len(m.Recoveries) != 1 || m.Recoveries[0] != 30*time.Minute {
		t.Errorf("metrics %+v: want 2 deployments and one failure recovered in 30m by the rollback", m)
	}
	// a ships with b's deploy (3h), b with its own (1h); the rollback ships neither.
	if want := []time.Duration{time.Hour, 3 * time.Hour}; !slices.Equal(m.LeadTimes, want) {
		t.Errorf("lead times %v, want %v", m.LeadTimes, want)
	}
}
