package engine

import (
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Executions decode their input and encode their output once each, through the value model's
// own codecs (package value), which keep object members in document order.

func decodeJSON(b []byte) (any, error) { return value.Decode(b) }

func encodeJSON(v any) ([]byte, error) { return value.Marshal(v) }
