package securitytest

// Personal-data canaries (DESIGN.md, principle 5): drive the stack through its happy path and its
// error paths with a canary car, its owner's name, plate and registration code and a real bearer
// token, then look for every one of them in everything the stack logged. Keyed pseudonyms
// (vehicle.Pseudonymizer) are what logs may carry instead, and they never match a canary.

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
)

func TestPersonalDataCanaries(t *testing.T) {
	runCanaries(t)
}

// runCanaries drives the stack through every path with canaries, checks the answers and the log,
// and returns the canaries (value to label) for scans of other outputs (traces_test.go).
func runCanaries(t *testing.T) map[string]string {
	t.Helper()
	stack.Sims.Reset()
	t.Cleanup(stack.Sims.Reset)

	token := tokenOf(t, "alice")
	sub := subjectOf(t, "alice")
	canaries := map[string]string{token: "alice's bearer token", sub: "alice's subject"}
	for i, part := range strings.Split(token, ".")[1:] {
		canaries[part] = []string{"token payload", "token signature"}[i]
	}
	// newCar is a canary car alice owns; its VIN, keepers' names, streets, plates and document
	// codes are all canaries.
	newCar := func() vehicle.VIN {
		vin := freshVIN(t)
		grant(t, vin, sub, time.Now().Add(time.Hour))
		canaries[string(vin)] = "VIN"
		vals, _ := personalValues(t, vin)
		for v, label := range vals {
			canaries[v] = label
		}
		return vin
	}
	var errorBodies []answer
	get := func(vin string, h http.Header, want ...int) answer {
		t.Helper()
		a := call(t, http.MethodGet, "/vehicles/"+vin, h, nil)
		if !slices.Contains(want, a.status) {
			t.Errorf("GET /vehicles/<canary>: %s, want one of %v", a, want)
		}
		if a.status >= 300 {
			errorBodies = append(errorBodies, a)
		}
		return a
	}
	owner := bearer(token)
	retried := false

	// Happy path: cold, then warm, as the owner, and the public view.
	vin := newCar()
	get(string(vin), owner, 200)
	get(string(vin), owner, 200)
	get(string(vin), nil, 200)
	get(strings.ToLower(string(vin)), owner, 200) // lower case is accepted by the contract

	// Proof of ownership with a one-time code, and with the registration document's code: a
	// wrong guess, then the right one. Both codes are canaries.
	for _, method := range []string{"owner-code", "document-code"} {
		prover, proverSub := freshConsumer(t)
		canaries[prover], canaries[proverSub] = "prover's bearer token", "prover's subject"
		pvin := newCar()
		id := startChallenge(t, pvin, prover, method)
		code := ""
		if method == "owner-code" {
			code = sentCode(t, pvin)
		} else {
			car, _ := stack.Sims.World().Vehicle(pvin)
			code = car.DocumentCode()
		}
		canaries[code] = method + " code"
		post := func(code string, want int) {
			t.Helper()
			a := call(t, http.MethodPost, verifyPath(pvin, id), bearer(prover), codeBody(code))
			if a.status != want {
				t.Errorf("verify (%s): %s, want %d", method, a, want)
			}
			if a.status >= 300 {
				errorBodies = append(errorBodies, a)
			}
		}
		post(wrongCodeFor(code), http.StatusForbidden)
		post(code, http.StatusOK)
		if got := reportAccess(t, pvin, prover); got != "owner" {
			t.Errorf("after proving with %s: access %q, want owner", method, got)
		}
	}

	// Invalid VINs built from the canary: a wrong check digit, a letter VINs never use, too long.
	wrongDigit := string(vin[:8]) + string("0123456789X"[(strings.IndexByte("0123456789X", vin[8])+1)%11]) + string(vin[9:])
	canaries[wrongDigit] = "VIN with a wrong check digit"
	remember("VIN with a wrong check digit", wrongDigit)
	get(wrongDigit, owner, 400)
	get(string(vin[:16])+"O", nil, 400)
	get(string(vin)+"1", owner, 400)

	// A VIN no system knows.
	unknown := unknownVIN(t)
	canaries[string(unknown)] = "unknown VIN"
	get(string(unknown), owner, 404)

	// Between fault phases, heal: clear the faults and read a healthy car, whose successful legacy
	// calls reset the clients' consecutive-failure counts. Each phase stays below the breakers'
	// threshold (5 failed attempts in a row; a failing call makes at most 3), so no breaker opens
	// and later tests see a healthy stack; heal checks that by requiring every section fresh.
	heal := func() {
		t.Helper()
		stack.Sims.Reset()
		a := get(string(newCar()), owner, 200)
		checkFresh(t, a.body, "build", "serviceHistory", "odometer", "recalls", "registration", "owner")
	}

	// The registry down: the owner's personal sections degrade, the report does not fail.
	setFaults(t, vehicle.SourceRegistry, fault.Faults{Outage: fault.OutageUnavailable})
	get(string(newCar()), owner, 200)
	heal()

	// Every source failing in a different way: 5xx, a closed connection, a malformed body, a
	// truncated body. Without the vehicle master nobody can confirm a new car: 503.
	setFaults(t, vehicle.SourceVehicleMaster, fault.Faults{Malformed: true})
	setFaults(t, vehicle.SourceWorkshop, fault.Faults{ErrorRate: 1, ErrorStatus: 500})
	setFaults(t, vehicle.SourceRegistry, fault.Faults{Outage: fault.OutageClose})
	setFaults(t, vehicle.SourceRecalls, fault.Faults{Truncate: true})
	get(string(newCar()), owner, 503)
	heal()

	// Each source in turn answering with a malformed body, then with the wrong charset: the
	// decoders' errors are where a payload snippet (a keeper's name in a registry record, a
	// workshop in a SOAP body) would slip into a log line.
	for _, src := range report.Sources() {
		for _, f := range []fault.Faults{{Malformed: true}, {WrongCharset: true}} {
			want := 200
			if src == vehicle.SourceVehicleMaster && f.Malformed {
				want = 503 // a new car nobody can confirm is not reported
			}
			setFaults(t, src, f)
			get(string(newCar()), owner, want)
			heal()
		}
	}

	// Retries: about every other workshop answer is a 503, so some calls succeed only after a
	// retry. Each car is followed by a healthy one so that bad luck cannot chain failures.
	for range 3 {
		stack.Sims.Reset() // counters from zero: this car's workshop attempts only
		setFaults(t, vehicle.SourceWorkshop, fault.Faults{ErrorRate: 0.5, ErrorStatus: 503, RetryAfter: "0"})
		get(string(newCar()), owner, 200)
		// One workshop call per report: a failed attempt and then a successful one is a retry
		// that succeeded.
		st := stack.Sims.System(vehicle.SourceWorkshop).Stats()
		retried = retried || (st.Faulted > 0 && st.Total > st.Faulted)
		heal()
	}
	if !retried {
		t.Error("no workshop call failed and then succeeded: the retry path was not exercised")
	}

	// A step panicking (a bug) while it handles a canary car, with its whole payload in the panic
	// value: the worst a panic can carry. Lambda reports a panic as a function error; nothing of
	// it may reach an answer, the log or a trace. A fetch step's panic degrades its sections ...
	canaries[stepPanics.marker] = "panic value of a step"
	hits := stepPanics.hits.Load()
	pvin := newCar()
	stepPanics.arm(t, catalog.FetchRegistry, pvin)
	degraded := get(string(pvin), owner, 200)
	checkFresh(t, degraded.body, "build", "serviceHistory", "recalls")
	checkUnavailable(t, degraded.body, "registration", "owner")
	// ... merge-report's fails the report with the generic internal error.
	mvin := newCar()
	stepPanics.arm(t, catalog.MergeReport, mvin)
	failed := get(string(mvin), owner, 500)
	for _, a := range []answer{degraded, failed} {
		if strings.Contains(string(a.body), stepPanics.marker) {
			t.Errorf("an answer carries the panic value: %s", a)
		}
	}
	if got := stepPanics.hits.Load() - hits; got != 2 {
		t.Errorf("%d injected step panics, want 2: the panic path was not exercised", got)
	}
	heal()

	// Nothing an error answer says may echo a canary.
	for _, a := range errorBodies {
		for v, label := range canaries {
			if containsSecret(strings.ToLower(string(a.body)), strings.ToLower(v)) {
				t.Errorf("an error answer carries the %s: %s", label, a)
			}
		}
	}

	// The log must have been written (else the scan below proves nothing) ...
	log := logs.String()
	if !strings.Contains(log, `"route":"/vehicles/{vin}"`) {
		t.Fatalf("the stack logged no access line for /vehicles/{vin}: the log capture is not wired\n%s", tail(log))
	}
	// ... and carry none of the canaries.
	for _, leak := range leaksIn(log, canaries) {
		t.Errorf("the stack's log carries the %s", leak)
	}
	return canaries
}

// checkUnavailable requires the named sections of a report to be unavailable.
func checkUnavailable(t *testing.T, body []byte, sections ...string) {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("not a report: %v: %s", err, body)
	}
	for _, name := range sections {
		var sec struct {
			Freshness string `json:"freshness"`
		}
		if err := json.Unmarshal(raw[name], &sec); err != nil || sec.Freshness != "unavailable" {
			t.Errorf("section %s is %q, want unavailable: %s", name, sec.Freshness, raw[name])
		}
	}
}

// checkFresh requires the named sections of a report to be fresh.
func checkFresh(t *testing.T, body []byte, sections ...string) {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("not a report: %v: %s", err, body)
	}
	for _, name := range sections {
		var sec struct {
			Freshness string `json:"freshness"`
		}
		if sec, ok := raw[name]; !ok || sec == nil {
			t.Errorf("no section %s: %s", name, body)
			continue
		}
		if err := json.Unmarshal(raw[name], &sec); err != nil || sec.Freshness != "fresh" {
			t.Errorf("section %s is %q, want fresh: %s", name, sec.Freshness, body)
		}
	}
}

func setFaults(t *testing.T, src vehicle.Source, f fault.Faults) {
	t.Helper()
	if err := stack.Sims.System(src).SetFaults(f); err != nil {
		t.Fatal(err)
	}
}

// tail is the end of a long log, for failure messages.
func tail(s string) string {
	const n = 2000
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
