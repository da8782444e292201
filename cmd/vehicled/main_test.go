package main

import (
	"io"
	"strings"
	"testing"
)

func TestRejectsABadPort(t *testing.T) {
	for _, port := range []string{"0", "65536", "http", "-1", "80 80"} {
		env := func(k string) string {
			if k == "PORT" {
				return port
			}
			return ""
		}
		err := run(t.Context(), env, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "PORT") {
			t.Errorf("PORT=%q: err %v", port, err)
		}
	}
}

func TestRejectsBadChaosSettings(t *testing.T) {
	for k, v := range map[string]string{"CHAOS": "1.5", "SEED": "-3"} {
		env := func(name string) string {
			if name == k {
				return v
			}
			return ""
		}
		err := run(t.Context(), env, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: err %v", k, v, err)
		}
	}
	for _, v := range []string{"", "0", "0.1", "1"} {
		if _, _, err := chaosConfig(func(name string) string {
			if name == "CHAOS" {
				return v
			}
			return ""
		}); err != nil {
			t.Errorf("CHAOS=%q: %v", v, err)
		}
	}
}

func TestStepFunctionsSettings(t *testing.T) {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	cfg, err := stepFunctionsConfig(env(nil), "8080")
	if err != nil || cfg.Addr != "127.0.0.1:8083" || cfg.ARNPrefix != "" {
		t.Errorf("defaults: %+v %v, want 127.0.0.1:8083 and the local engine", cfg, err)
	}
	cfg, err = stepFunctionsConfig(env(map[string]string{
		"SFN_PORT": "9100", "SFN_ARN_PREFIX": "arn:aws:states:eu-central-1:111111111111:stateMachine:vehicle-data-alice-",
	}), "9090")
	if err != nil || cfg.Addr != "127.0.0.1:9100" || cfg.ARNPrefix == "" {
		t.Errorf("set: %+v %v", cfg, err)
	}
	if cfg, err := stepFunctionsConfig(env(map[string]string{"SFN_PORT": "0"}), "8080"); err != nil || cfg.Addr != "127.0.0.1:0" {
		t.Errorf("SFN_PORT=0: %+v %v, want a free port", cfg, err)
	}
	for _, kv := range []map[string]string{
		{"SFN_PORT": "-1"}, {"SFN_PORT": "x"}, {"SFN_PORT": "8080"}, {"SFN_PORT": "65536"},
		{"SFN_ENDPOINT": "http://127.0.0.1:9"},
	} {
		if _, err := stepFunctionsConfig(env(kv), "8080"); err == nil || !strings.Contains(err.Error(), "SFN_") {
			t.Errorf("%v: err %v, want one naming the setting", kv, err)
		}
	}
	if _, err := stepFunctionsConfig(env(nil), "65534"); err == nil || !strings.Contains(err.Error(), "SFN_PORT") {
		t.Errorf("PORT=65534: err %v, want SFN_PORT named", err)
	}
}
