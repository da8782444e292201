package registry_test

import (
	"context"
	"testing"

	"github.com/acme-oem/vehicle-data/legacyclients/registry"
)

// withContact is goodRecords with a CT record before the trailer.
func withContact(ct registry.Contact) []registry.Record {
	recs := goodRecords()
	n := len(recs)
	out := append(append(recs[:n-1:n-1], ct), registry.Trailer{Count: n - 1})
	return out
}

func TestInquiryCarriesTheKeepersContact(t *testing.T) {
	for _, ct := range []registry.Contact{
		{Channel: registry.ContactSMS, Address: "+4915550123456"},
		{Channel: registry.ContactEmail, Address: "j.weiss@example.com"},
	} {
		in, err := newClient(t, 200, encode(t, withContact(ct)...), nil).Inquire(context.Background(), vin)
		if err != nil {
			t.Fatalf("%s: %v", ct.Channel, err)
		}
		if in.Contact == nil || *in.Contact != ct {
			t.Errorf("contact = %+v, want %+v", in.Contact, ct)
		}
	}
	in, err := newClient(t, 200, encode(t, goodRecords()...), nil).Inquire(context.Background(), vin)
	if err != nil || in.Contact != nil {
		t.Errorf("no CT record: contact %+v, %v", in.Contact, err)
	}
}

// A garbled contact rejects the answer like any other inconsistency: a code must not go to a
// number the registry did not mean.
func TestInquiryRejectsABadContact(t *testing.T) {
	for name, ct := range map[string]registry.Contact{
		"phone without +":       {Channel: registry.ContactSMS, Address: "015550123456"},
		"phone with letters":    {Channel: registry.ContactSMS, Address: "+49155501234x"},
		"e-mail without domain": {Channel: registry.ContactEmail, Address: "weiss@"},
		"e-mail as phone":       {Channel: registry.ContactSMS, Address: "j.weiss@example.com"},
		"unknown channel":       {Channel: "F", Address: "+4915550123456"},
	} {
		if _, err := newClient(t, 200, encode(t, withContact(ct)...), nil).Inquire(context.Background(), vin); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Without a current keeper there is nobody to contact.
	recs := []registry.Record{
		goodRecords()[0],
		registry.Registration{Seq: 1, Country: "DE", Plate: "S-PO 911", From: day("2012-05-02"), To: day("2016-07-31"), KeeperKind: registry.KeeperCompany},
		registry.Contact{Channel: registry.ContactSMS, Address: "+4915550123456"},
		registry.Trailer{Count: 2},
	}
	if _, err := newClient(t, 200, encode(t, recs...), nil).Inquire(context.Background(), vin); err == nil {
		t.Error("contact without keeper accepted")
	}
	// Two contacts are a structural error.
	two := withContact(registry.Contact{Channel: registry.ContactSMS, Address: "+4915550123456"})
	n := len(two)
	two = append(append(two[:n-1:n-1], registry.Contact{Channel: registry.ContactEmail, Address: "a@example.com"}), registry.Trailer{Count: n - 1})
	if _, err := newClient(t, 200, encode(t, two...), nil).Inquire(context.Background(), vin); err == nil {
		t.Error("two contact records accepted")
	}
}
