package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
	"github.com/acme-oem/vehicle-data/statemachines/engine/server"
)

func passChainDefinition(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		if i == n-1 {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","End":true}`, i)
		} else {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Next":"S%d"}`, i, i+1)
		}
	}
	b.WriteString(`}}`)
	return b.String()
}

// BenchmarkStartSyncLoopbackPassChain20 is the round trip the local gateway pays: the sfn SDK
// (serialising, and signing unless the credentials are anonymous) over loopback HTTP to the
// server, the 20-state Pass chain, and back. Compare with the engine's in-process
// BenchmarkPassChain20.
func BenchmarkStartSyncLoopbackPassChain20(b *testing.B) {
	s := newStack(b, engine.Options{Clock: engine.NewFakeClock(epochStart)})
	b.Cleanup(s.close)
	out, err := s.client.CreateStateMachine(b.Context(), &sfn.CreateStateMachineInput{
		Name: aws.String("chain"), Definition: aws.String(passChainDefinition(20)), RoleArn: aws.String(role), Type: types.StateMachineTypeExpress,
	})
	if err != nil {
		b.Fatal(err)
	}
	in := &sfn.StartSyncExecutionInput{StateMachineArn: out.StateMachineArn, Input: aws.String(`{"vin":"WVWZZZ1JZXW000001","section":"master"}`)}
	anonymous := sfn.New(sfn.Options{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1}, server.Endpoint(s.url))
	for _, c := range []struct {
		name   string
		client *sfn.Client
	}{{"signed", s.client}, {"anonymous", anonymous}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := c.client.StartSyncExecution(b.Context(), in)
					if err != nil || res.Status != types.SyncExecutionStatusSucceeded {
						b.Errorf("execution failed: %v %+v", err, res)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
		})
	}
}
