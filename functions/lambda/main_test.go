package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/acme-oem/vehicle-data/functions/catalog"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestHandlerName(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HANDLER": "merge-report"}, "merge-report"},
		{map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "VehicleData-prod-fetch-workshop"}, "fetch-workshop"},
		{map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "validate-vin"}, "validate-vin"},
	}
	for _, c := range cases {
		if got, err := handlerName(envOf(c.env)); err != nil || got != c.want {
			t.Errorf("%v: %q, %v", c.env, got, err)
		}
	}
	if _, err := handlerName(envOf(map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "something-else"})); err == nil {
		t.Error("unknown function name accepted")
	}
}

// aws-lambda-go names a plain error by its Go type; the binary must report the state error name.
func TestInvokerReportsStateErrorName(t *testing.T) {
	h, err := build(context.Background(), envOf(map[string]string{"HANDLER": catalog.ValidateVIN, "PSEUDONYM_KEY": "0123456789abcdef"}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Invoke(context.Background(), []byte(`{"vin":"WVWZZZCD3MW100001"}`))
	if err != nil || string(out) != `{"vin":"WVWZZZCD3MW100001"}` {
		t.Fatalf("valid: %s, %v", out, err)
	}
	_, err = h.Invoke(context.Background(), []byte(`{"vin":"short"}`))
	var ire messages.InvokeResponse_Error
	if !errors.As(err, &ire) || ire.Type != "VehicleData.Invalid" {
		t.Fatalf("err = %#v", err)
	}
	var body struct{ Field, Rule string }
	if json.Unmarshal([]byte(ire.Message), &body) != nil || body.Field != "vin" || body.Rule != "length" {
		t.Fatalf("message = %s", ire.Message)
	}
	if _, err := build(context.Background(), envOf(map[string]string{"HANDLER": catalog.ValidateVIN}), slog.New(slog.DiscardHandler)); err == nil {
		t.Error("missing PSEUDONYM_KEY accepted")
	}
}

// With its settings, the binary builds the real ownership service (a dealer is refused by the
// step itself); without them the step answers Internal rather than pretending; a weak pepper
// stops start-up.
func TestOwnershipStepsAreWiredFromTheEnvironment(t *testing.T) {
	env := map[string]string{
		"HANDLER": catalog.OwnershipChallenge, "PSEUDONYM_KEY": "0123456789abcdef",
		"TABLE_NAME": "vehicle-data", "REGISTRY_URL": "http://127.0.0.1:1", "AWS_REGION": "eu-central-1",
		"OWNERSHIP_PEPPER": "0123456789abcdef0123456789abcdef",
	}
	dealer := []byte(`{"vin":"WVWZZZCD3MW100001","caller":{"sub":"d","role":"dealer"},"body":{"method":"owner-code"}}`)
	errorType := func(env map[string]string) string {
		t.Helper()
		h, err := build(context.Background(), envOf(env), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Invoke(context.Background(), dealer)
		var ire messages.InvokeResponse_Error
		if !errors.As(err, &ire) {
			t.Fatalf("err = %#v", err)
		}
		return ire.Type
	}
	if got := errorType(env); got != "VehicleData.Forbidden" {
		t.Errorf("configured: errorType %s, want VehicleData.Forbidden", got)
	}
	unconfigured := map[string]string{}
	for k, v := range env {
		if k != "OWNERSHIP_PEPPER" {
			unconfigured[k] = v
		}
	}
	if got := errorType(unconfigured); got != "VehicleData.Internal" {
		t.Errorf("without a pepper: errorType %s, want VehicleData.Internal", got)
	}
	env["OWNERSHIP_PEPPER"] = "short"
	if _, err := build(context.Background(), envOf(env), slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a 5-byte pepper was accepted")
	}
}
