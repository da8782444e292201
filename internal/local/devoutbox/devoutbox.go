// Package devoutbox is the development outbox: locally, the one-time ownership codes that
// production sends to the owner on record land here instead, so a developer (or an acceptance
// test) can read them.
//
// It implements ownership.Outbox in memory and serves
//
//	GET /dev/outbox?vin=<VIN>
//	200 {"vin": "<VIN>", "codes": [{"code": "123456", "sentAt": "2026-03-01T12:00:00.000Z"}, ...],
//	     "documentCode": "AB3D5F7H"}
//
// newest first, at most PerVIN codes (an unknown VIN gets an empty list, not a 404), and, when
// Options.DocumentCode knows one, the code printed on the VIN's registration document, so that a
// demo owner can prove ownership by document-code as a real owner would with the paper in hand.
// A missing or malformed vin is 400 in the API's error shape; any other method is 405.
//
// It exists only in the local stack: the handler must never be mounted in a deployed service, as
// it hands out proofs of ownership. It never logs: codes, and VINs linked to an owner, are personal
// data and secrets, and the main log must not carry them.
package devoutbox

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Path is where the local stack mounts the handler.
const Path = "/dev/outbox"

// Defaults bound memory: a long `make run` must not grow without limit.
const (
	DefaultPerVIN  = 10
	DefaultMaxVINs = 1000
)

// Message is one code sent.
type Message struct {
	Code   string    `json:"code"`
	SentAt time.Time `json:"sentAt"`
}

// Outbox keeps the last codes per VIN. Safe for concurrent use.
type Outbox struct {
	perVIN, maxVINs int
	now             func() time.Time
	documentCode    func(vehicle.VIN) (string, bool)

	mu    sync.Mutex
	codes map[vehicle.VIN][]Message // oldest first
	order []vehicle.VIN             // VINs by first send, for eviction
}

var _ ownership.Outbox = (*Outbox)(nil)

// Options configure New; zero values take the defaults.
type Options struct {
	PerVIN  int              // codes kept per VIN
	MaxVINs int              // VINs kept; the VIN seen least recently first is dropped
	Now     func() time.Time // sentAt clock; time.Now when nil
	// DocumentCode looks up the code on a VIN's registration document (locally: the simulated
	// registry's world); nil shows none.
	DocumentCode func(vehicle.VIN) (string, bool)
}

// New builds an empty outbox.
func New(opts Options) *Outbox {
	if opts.PerVIN <= 0 {
		opts.PerVIN = DefaultPerVIN
	}
	if opts.MaxVINs <= 0 {
		opts.MaxVINs = DefaultMaxVINs
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Outbox{perVIN: opts.PerVIN, maxVINs: opts.MaxVINs, now: opts.Now, documentCode: opts.DocumentCode,
		codes: map[vehicle.VIN][]Message{}}
}

// SendCode implements ownership.Outbox.
func (o *Outbox) SendCode(ctx context.Context, vin vehicle.VIN, code string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m := Message{Code: code, SentAt: o.now().UTC()}
	o.mu.Lock()
	defer o.mu.Unlock()
	list, known := o.codes[vin]
	if known {
		o.touch(vin)
	} else {
		if len(o.order) >= o.maxVINs {
			delete(o.codes, o.order[0])
			o.order = o.order[1:]
		}
		o.order = append(o.order, vin)
	}
	list = append(list, m)
	if len(list) > o.perVIN {
		list = append([]Message(nil), list[len(list)-o.perVIN:]...)
	}
	o.codes[vin] = list
	return nil
}

// touch moves vin to the most recent end of the eviction order.
func (o *Outbox) touch(vin vehicle.VIN) {
	for i, v := range o.order {
		if v == vin {
			o.order = append(o.order[:i], o.order[i+1:]...)
			break
		}
	}
	o.order = append(o.order, vin)
}

// Sent returns the codes sent for vin, newest first.
func (o *Outbox) Sent(vin vehicle.VIN) []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	list := o.codes[vin]
	out := make([]Message, len(list))
	for i, m := range list {
		out[len(list)-1-i] = m
	}
	return out
}

// Latest returns the newest code sent for vin.
func (o *Outbox) Latest(vin vehicle.VIN) (string, bool) {
	s := o.Sent(vin)
	if len(s) == 0 {
		return "", false
	}
	return s[0].Code, true
}

type response struct {
	VIN          vehicle.VIN `json:"vin"`
	Codes        []message   `json:"codes"`
	DocumentCode string      `json:"documentCode,omitempty"`
}

type message struct {
	Code   string `json:"code"`
	SentAt string `json:"sentAt"`
}

// ServeHTTP serves GET /dev/outbox?vin=... (see the package doc).
func (o *Outbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": apperr.New(apperr.Invalid, "only GET is allowed")})
		return
	}
	vin, err := vehicle.ParseVINField("vin", r.URL.Query().Get("vin"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": apperr.As(err)})
		return
	}
	resp := response{VIN: vin, Codes: []message{}}
	if o.documentCode != nil {
		if code, ok := o.documentCode(vin); ok {
			resp.DocumentCode = code
		}
	}
	for _, m := range o.Sent(vin) {
		resp.Codes = append(resp.Codes, message{Code: m.Code, SentAt: m.SentAt.Format("2006-01-02T15:04:05.000Z")})
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
