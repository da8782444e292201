// Package dynalitetest gives integration tests a real DynamoDB API (dynalite) and a fresh table per
// test. A test binary starts one server in TestMain (node start-up costs ~0.3 s) and creates a
// table per test, so tests stay independent without paying for a server each.
package dynalitetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/dynalite"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Env is a running dynalite and a client for it.
type Env struct {
	Server *dynalite.Server
	Client *dynamodb.Client
	seq    atomic.Int64
}

// Start starts dynalite. A missing node or dynalite is an error, never a skip.
func Start(ctx context.Context) (*Env, error) {
	s, err := dynalite.Start(ctx, dynalite.Options{})
	if err != nil {
		return nil, err
	}
	c, err := dynamo.NewLocalClient(ctx, s.Endpoint)
	if err != nil {
		s.Stop()
		return nil, err
	}
	return &Env{Server: s, Client: c}, nil
}

// Main runs a test binary with an Env: it starts dynalite, runs the tests, stops the server and
// exits. A failure to start fails the binary with the reason.
func Main(m *testing.M, env **Env) {
	e, err := Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "dynalitetest:", err)
		os.Exit(1)
	}
	*env = e
	code := m.Run()
	e.Server.Stop()
	os.Exit(code)
}

// NewTable creates a table with the production key design and returns its name.
func (e *Env) NewTable(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d-%s", e.seq.Add(1), sanitize(t.Name()))
	if len(name) > 200 {
		name = name[:200]
	}
	if err := dynamo.CreateTable(context.Background(), e.Client, name); err != nil {
		t.Fatal(err)
	}
	return name
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// ReadCache reads a VIN's cache items the way the vehicle-report state machine does (one getItem
// per key; the items found, in DynamoDB's JSON wire form), for step tests.
func (e *Env) ReadCache(t testing.TB, table string, vin vehicle.VIN) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for _, sk := range dynamo.StateMachineCacheKeys() {
		res, err := e.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
			TableName: aws.String(table),
			Key: map[string]types.AttributeValue{
				dynamo.AttrPK: &types.AttributeValueMemberS{Value: "VIN#" + string(vin)},
				dynamo.AttrSK: &types.AttributeValueMemberS{Value: sk},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Item == nil {
			continue
		}
		item, err := dynamo.ItemJSON(res.Item)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, item)
	}
	return out
}
