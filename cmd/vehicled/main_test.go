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
