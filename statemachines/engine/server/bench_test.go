package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
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
// (signing, serialising) over loopback HTTP to the server, the 20-state Pass chain, and back.
// Compare with the engine's in-process BenchmarkPassChain20.
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
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := s.client.StartSyncExecution(b.Context(), in)
			if err != nil || res.Status != types.SyncExecutionStatusSucceeded {
				b.Errorf("execution failed: %v %+v", err, res)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
}
