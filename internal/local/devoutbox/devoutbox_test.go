package devoutbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/devoutbox"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

const (
	vinA = vehicle.VIN("WVWZZZAU1LW000013")
	vinB = vehicle.VIN("WAUZZZ8V9KA000042")
)

func fixedClock() func() time.Time {
	t := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func send(t *testing.T, o *devoutbox.Outbox, vin vehicle.VIN, code string) {
	t.Helper()
	if err := o.SendCode(context.Background(), vin, code); err != nil {
		t.Fatal(err)
	}
}

func TestKeepsTheLastCodesPerVINNewestFirst(t *testing.T) {
	o := devoutbox.New(devoutbox.Options{PerVIN: 3, Now: fixedClock()})
	for i := 1; i <= 5; i++ {
		send(t, o, vinA, fmt.Sprintf("00000%d", i))
	}
	send(t, o, vinB, "999999")
	got := o.Sent(vinA)
	if len(got) != 3 || got[0].Code != "000005" || got[2].Code != "000003" || !got[0].SentAt.After(got[1].SentAt) {
		t.Fatalf("sent = %+v", got)
	}
	if c, ok := o.Latest(vinB); !ok || c != "999999" {
		t.Fatalf("latest for B = %q, %v", c, ok)
	}
}

func TestBoundsTheNumberOfVINs(t *testing.T) {
	o := devoutbox.New(devoutbox.Options{MaxVINs: 2})
	send(t, o, vinA, "111111")
	send(t, o, vinB, "222222")
	send(t, o, vinA, "333333") // A is now the most recent
	vinC := vehicle.VIN("WP0ZZZ99ZTS392124")
	send(t, o, vinC, "444444") // evicts B, the least recently sent
	if _, ok := o.Latest(vinB); ok {
		t.Fatal("B was kept beyond MaxVINs")
	}
	if c, _ := o.Latest(vinA); c != "333333" {
		t.Fatalf("A = %q", c)
	}
	if c, _ := o.Latest(vinC); c != "444444" {
		t.Fatalf("C = %q", c)
	}
}

func TestRespectsCancellation(t *testing.T) {
	o := devoutbox.New(devoutbox.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.SendCode(ctx, vinA, "123456"); err == nil {
		t.Fatal("sent on a cancelled context")
	}
	if _, ok := o.Latest(vinA); ok {
		t.Fatal("a cancelled send was recorded")
	}
}

func get(t *testing.T, h http.Handler, method, target string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, target, nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return rec, body
}

func TestHandler(t *testing.T) {
	o := devoutbox.New(devoutbox.Options{Now: fixedClock()})
	send(t, o, vinA, "123456")
	send(t, o, vinA, "654321")

	rec, _ := get(t, o, http.MethodGet, devoutbox.Path+"?vin="+string(vinA))
	want := `{"vin":"WVWZZZAU1LW000013","codes":[{"code":"654321","sentAt":"2026-03-01T12:00:02.000Z"},{"code":"123456","sentAt":"2026-03-01T12:00:01.000Z"}]}` + "\n"
	if rec.Code != 200 || rec.Body.String() != want || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("GET = %d %s", rec.Code, rec.Body.String())
	}
	// Lower case is accepted as people type it.
	if rec, body := get(t, o, http.MethodGet, devoutbox.Path+"?vin=wvwzzzau1lw000013"); rec.Code != 200 || len(body["codes"].([]any)) != 2 {
		t.Fatalf("lower-case VIN: %d %v", rec.Code, body)
	}
	if rec, body := get(t, o, http.MethodGet, devoutbox.Path+"?vin="+string(vinB)); rec.Code != 200 || len(body["codes"].([]any)) != 0 {
		t.Fatalf("VIN without codes: %d %v", rec.Code, body)
	}
	rec, body := get(t, o, http.MethodGet, devoutbox.Path+"?vin=WVWZZZAU2LW000013")
	if e, _ := body["error"].(map[string]any); rec.Code != 400 || e["field"] != "vin" || e["rule"] != "check-digit" {
		t.Fatalf("bad VIN: %d %v", rec.Code, body)
	}
	if rec, _ = get(t, o, http.MethodGet, devoutbox.Path); rec.Code != 400 {
		t.Fatalf("missing VIN: %d", rec.Code)
	}
	// 17 bytes, 16 characters ("ſ" upper-cases to "S"): once a panic in CheckDigitOf.
	rec, body = get(t, o, http.MethodGet, devoutbox.Path+"?vin=WAUZTSHB2NY8891%C5%BF")
	if e, _ := body["error"].(map[string]any); rec.Code != 400 || e["rule"] != "length" {
		t.Fatalf("16 characters in 17 bytes: %d %v", rec.Code, body)
	}
	if rec, _ = get(t, o, http.MethodPost, devoutbox.Path+"?vin="+string(vinA)); rec.Code != 405 || rec.Header().Get("Allow") != "GET" {
		t.Fatalf("POST: %d", rec.Code)
	}
}

func TestConcurrentSendsAndReads(t *testing.T) {
	o := devoutbox.New(devoutbox.Options{PerVIN: 5, MaxVINs: 3})
	vins := []vehicle.VIN{vinA, vinB, "WP0ZZZ99ZTS392124", "TMBZZZ1Z0A1234567"}
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range 50 {
				v := vins[(i+j)%len(vins)]
				_ = o.SendCode(context.Background(), v, fmt.Sprintf("%06d", j))
				if len(o.Sent(v)) > 5 {
					t.Error("more than PerVIN codes kept")
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	kept := 0
	for _, v := range vins {
		if len(o.Sent(v)) > 0 {
			kept++
		}
	}
	if kept > 3 {
		t.Fatalf("%d VINs kept, MaxVINs is 3", kept)
	}
}

func TestHandlerShowsTheDocumentCode(t *testing.T) {
	o := devoutbox.New(devoutbox.Options{DocumentCode: func(v vehicle.VIN) (string, bool) {
		return "AB3D5F7H", v == vinA
	}})
	if _, body := get(t, o, http.MethodGet, devoutbox.Path+"?vin="+string(vinA)); body["documentCode"] != "AB3D5F7H" {
		t.Fatalf("the document code of a VIN with one: %v", body)
	}
	if _, body := get(t, o, http.MethodGet, devoutbox.Path+"?vin="+string(vinB)); body["documentCode"] != nil {
		t.Fatalf("a document code for a VIN without one: %v", body)
	}
}
