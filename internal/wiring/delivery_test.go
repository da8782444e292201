package wiring_test

// Owner codes in AWS: the ownership-challenge step built as the Lambda binary builds it (with
// CODE_SENDER, no development outbox) sends the code by SMS or e-mail as the registry holds the
// owner's contact. The AWS endpoints are a stand-in: an httptest server answering SNS Publish and
// SES v2 SendEmail as those services do on the wire, reached through AWS_ENDPOINT_URL.

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/internal/wiring"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

type deliveries struct {
	mu  sync.Mutex
	got []string // "sms <number> <message>" or "email <json>"
}

func (d *deliveries) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	d.mu.Lock()
	defer d.mu.Unlock()
	if r.URL.Path == "/v2/email/outbound-emails" {
		d.got = append(d.got, "email "+string(body))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"MessageId":"m"}`))
		return
	}
	f, _ := url.ParseQuery(string(body))
	d.got = append(d.got, "sms "+f.Get("PhoneNumber")+" "+f.Get("Message"))
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m</MessageId></PublishResult></PublishResponse>`))
}

func (d *deliveries) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.got
	d.got = nil
	return out
}

func TestOwnerCodeIsDeliveredInAWS(t *testing.T) {
	ctx := context.Background()
	stand := &deliveries{}
	srv := httptest.NewServer(stand)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")

	cluster, err := sim.Start(ctx, sim.Options{NoLatency: true})
	must(t, err)
	t.Cleanup(func() { _ = cluster.Close() })
	fns, err := wiring.Build(ctx, wiring.Config{
		TableName: env.NewTable(t), DynamoDB: env.Client,
		LegacyURLs:      map[vehicle.Source]string{vehicle.SourceRegistry: cluster.URL(vehicle.SourceRegistry)},
		PseudonymKey:    []byte("test-key-0123456789"),
		OwnershipPepper: []byte("0123456789abcdef0123456789abcdef"),
		CodeSender:      "codes@vehicle-data.example.com",
	}, catalog.OwnershipChallenge)
	must(t, err)
	t.Cleanup(fns.Close)
	h, _ := fns.Lookup(catalog.OwnershipChallenge)

	// Owners with a phone, with an e-mail address, and a VIN nobody owns.
	var phone, mail *world.Vehicle
	r := rand.New(rand.NewPCG(3, 4)) //nolint:gosec // a reproducible walk over the simulated world, no secret
	for tries := 0; (phone == nil || mail == nil) && tries < 5000; tries++ {
		v, ok := cluster.World().Vehicle(world.RandomVIN(r))
		if !ok {
			continue
		}
		switch v.Current().Contact.Channel {
		case world.ContactSMS:
			phone = v
		case world.ContactEmail:
			mail = v
		}
	}
	if phone == nil || mail == nil {
		t.Fatal("no owners with a phone and an e-mail address in the world")
	}
	challenge := func(vin vehicle.VIN) (string, error) {
		in, _ := json.Marshal(map[string]any{"vin": string(vin), "caller": map[string]string{"sub": "alice-" + string(vin), "role": "consumer"},
			"requestId": "r", "body": map[string]string{"method": "owner-code"}})
		out, err := h(ctx, in)
		return string(out), err
	}
	shape := func(out string) string {
		var m map[string]any
		_ = json.Unmarshal([]byte(out), &m)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return strings.Join(keys, ",")
	}

	out, err := challenge(phone.VIN)
	if err != nil {
		t.Fatalf("owner with a phone: %v (owner-code must not be unavailable in AWS)", err)
	}
	got := stand.take()
	if len(got) != 1 || !strings.HasPrefix(got[0], "sms "+phone.Current().Contact.Address+" Your ownership code: ") {
		t.Errorf("owner with a phone: deliveries %q", got)
	}
	if _, err := challenge(mail.VIN); err != nil {
		t.Fatalf("owner with an e-mail address: %v", err)
	}
	got = stand.take()
	if len(got) != 1 || !strings.Contains(got[0], `"ToAddresses":["`+mail.Current().Contact.Address+`"]`) ||
		!strings.Contains(got[0], `"FromEmailAddress":"codes@vehicle-data.example.com"`) {
		t.Errorf("owner with an e-mail address: deliveries %q", got)
	}

	// A VIN without an owner on record answers the same, and nothing is sent.
	var nobody vehicle.VIN
	for tries := 0; nobody == "" && tries < 5000; tries++ {
		if vin := world.RandomVIN(r); !known(cluster.World(), vin) {
			nobody = vin
		}
	}
	noOut, err := challenge(nobody)
	if err != nil {
		t.Fatalf("VIN without owner: %v", err)
	}
	if shape(noOut) != shape(out) || shape(out) == "" {
		t.Errorf("answers differ: owner %s, no owner %s", out, noOut)
	}
	if got := stand.take(); len(got) != 0 {
		t.Errorf("sent for a VIN without owner: %q", got)
	}
}

func known(w *world.World, vin vehicle.VIN) bool { _, ok := w.Vehicle(vin); return ok }
