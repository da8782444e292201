package notify_test

// The SNS and SES endpoints are stand-ins: one httptest server answers as each AWS service does
// on the wire (SNS's query protocol with an XML answer, SES v2's REST JSON), and the real SDK
// clients reach it through their endpoint override. What AWS itself does with the message is
// outside what a test here can show.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/acme-oem/vehicle-data/internal/notify"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

const (
	vin   = vehicle.VIN("WP0ZZZBR2CS500005")
	phone = "+4915550123456"
	email = "j.weiss@example.com"
	code  = "493817"
)

// request is one call the stand-in received.
type request struct {
	Service string
	Form    url.Values     // SNS
	JSON    map[string]any // SES
}

// awsStandIn answers SNS Publish and SES v2 SendEmail; fail makes it answer with the service's
// error shape instead.
type awsStandIn struct {
	mu   sync.Mutex
	got  []request
	fail bool
}

func (s *awsStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		http.Error(w, "unsigned", http.StatusForbidden)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v2/email/outbound-emails":
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		s.got = append(s.got, request{Service: "ses", JSON: m})
		w.Header().Set("Content-Type", "application/json")
		if s.fail {
			w.Header().Set("X-Amzn-Errortype", "MessageRejected")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"message":"Email address is not verified: ` + email + `"}`))
			return
		}
		_, _ = w.Write([]byte(`{"MessageId":"ses-1"}`))
	case r.Method == http.MethodPost && r.URL.Path == "/":
		form, _ := url.ParseQuery(string(body))
		s.got = append(s.got, request{Service: "sns", Form: form})
		w.Header().Set("Content-Type", "text/xml")
		if s.fail {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber Reason: ` + phone + ` is not valid</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
			return
		}
		_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>sns-1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`))
	default:
		http.NotFound(w, r)
	}
}

func (s *awsStandIn) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.got...)
}

// contacts is the registry's answer.
type contacts struct {
	c   notify.Contact
	ok  bool
	err error
}

func (c contacts) OwnerContact(context.Context, vehicle.VIN) (notify.Contact, bool, error) {
	return c.c, c.ok, c.err
}

func newOutbox(t *testing.T, book notify.Contacts, log *bytes.Buffer) (*notify.Outbox, *awsStandIn) {
	t.Helper()
	stand := &awsStandIn{}
	srv := httptest.NewServer(stand)
	t.Cleanup(srv.Close)
	awsCfg := aws.Config{
		Region:       "eu-central-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   srv.Client(),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	smsAPI, emailAPI := notify.Clients(awsCfg)
	logger := slog.New(slog.DiscardHandler)
	if log != nil {
		logger = slog.New(slog.NewJSONHandler(log, nil))
	}
	o, err := notify.New(notify.Config{Contacts: book, SMS: smsAPI, Email: emailAPI, From: "codes@vehicle-data.example.com",
		Valid: 15 * time.Minute, Log: logger})
	if err != nil {
		t.Fatal(err)
	}
	return o, stand
}

func TestSendsTheCodeBySMSToAPhoneOnRecord(t *testing.T) {
	o, stand := newOutbox(t, contacts{c: notify.Contact{Channel: notify.SMS, Address: phone}, ok: true}, nil)
	if err := o.SendCode(context.Background(), vin, code); err != nil {
		t.Fatal(err)
	}
	got := stand.requests()
	if len(got) != 1 || got[0].Service != "sns" {
		t.Fatalf("requests %+v", got)
	}
	f := got[0].Form
	if f.Get("Action") != "Publish" || f.Get("PhoneNumber") != phone || !strings.Contains(f.Get("Message"), code) ||
		strings.Contains(f.Get("Message"), string(vin)) || f.Get("TopicArn") != "" ||
		f.Get("MessageAttributes.entry.1.Value.StringValue") != "Transactional" {
		t.Errorf("publish %v", f)
	}
}

func TestSendsTheCodeByEmailToAnAddressOnRecord(t *testing.T) {
	o, stand := newOutbox(t, contacts{c: notify.Contact{Channel: notify.Email, Address: email}, ok: true}, nil)
	if err := o.SendCode(context.Background(), vin, code); err != nil {
		t.Fatal(err)
	}
	got := stand.requests()
	if len(got) != 1 || got[0].Service != "ses" {
		t.Fatalf("requests %+v", got)
	}
	b, _ := json.Marshal(got[0].JSON)
	if got[0].JSON["FromEmailAddress"] != "codes@vehicle-data.example.com" || !strings.Contains(string(b), `"ToAddresses":["`+email+`"]`) ||
		!strings.Contains(string(b), code) || strings.Contains(string(b), string(vin)) {
		t.Errorf("send email %s", b)
	}
}

// No owner, or an owner without a contact: nothing is sent and the answer is the same as a send.
func TestNoContactAnswersLikeASend(t *testing.T) {
	o, stand := newOutbox(t, contacts{}, nil)
	if err := o.SendCode(context.Background(), vin, code); err != nil {
		t.Fatalf("no contact: %v", err)
	}
	if got := stand.requests(); len(got) != 0 {
		t.Errorf("sent %+v for a VIN without contact", got)
	}
}

// A rejected delivery answers like a delivered one and logs no personal data (the SNS error
// message quotes the number).
func TestFailedDeliveryAnswersAlikeAndLogsNoPersonalData(t *testing.T) {
	for _, c := range []notify.Contact{{Channel: notify.SMS, Address: phone}, {Channel: notify.Email, Address: email}} {
		var log bytes.Buffer
		o, stand := newOutbox(t, contacts{c: c, ok: true}, &log)
		stand.fail = true
		if err := o.SendCode(context.Background(), vin, code); err != nil {
			t.Errorf("%s: %v", c.Channel, err)
		}
		if len(stand.requests()) != 1 {
			t.Errorf("%s: %d requests", c.Channel, len(stand.requests()))
		}
		out := log.String()
		if !strings.Contains(out, "one-time code delivery failed") || !strings.Contains(out, string(c.Channel)) {
			t.Errorf("%s: failure not logged: %s", c.Channel, out)
		}
		for _, secret := range []string{phone, email, code, string(vin)} {
			if strings.Contains(out, secret) {
				t.Errorf("%s: the log holds personal data: %s", c.Channel, out)
			}
		}
	}
}

// The registry failing fails every VIN alike: the challenge cannot be started.
func TestRegistryFailureIsAnError(t *testing.T) {
	boom := errors.New("registry down")
	o, _ := newOutbox(t, contacts{err: boom}, nil)
	if err := o.SendCode(context.Background(), vin, code); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestNewRefusesAnIncompleteConfig(t *testing.T) {
	smsAPI, emailAPI := notify.Clients(aws.Config{Region: "eu-central-1"})
	if _, err := notify.New(notify.Config{Contacts: contacts{}, SMS: smsAPI, Email: emailAPI, Valid: time.Minute}); err == nil {
		t.Error("no sender accepted")
	}
	if _, err := notify.New(notify.Config{SMS: smsAPI, Email: emailAPI, From: "a@example.com", Valid: time.Minute}); err == nil {
		t.Error("no contacts accepted")
	}
}
