package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// StepFunctions is an Executor over the Step Functions API, the way API Gateway's integration
// reaches an Express state machine: one StartSyncExecution call through the sfn client. The same
// client reaches the local engine's endpoint (statemachines/engine/server) or a real AWS
// region's deployed machines; only its endpoint and the ARNs differ.
type StepFunctions struct {
	Client *sfn.Client
	// ARN maps the contract's x-state-machine name to the state machine's ARN (locally
	// arn:aws:states:us-east-1:123456789012:stateMachine:<name>; deployed, CDK's physical name
	// vehicle-data-<stage>-<name>).
	ARN func(stateMachine string) string
}

// StartSyncExecution starts the machine and waits for its end, as StartSyncExecution does. An
// API error (unknown machine, throttling, the transport) is an error; an execution that ran and
// failed is a Result.
func (x StepFunctions) StartSyncExecution(ctx context.Context, stateMachine string, input []byte) (Result, error) {
	if x.Client == nil || x.ARN == nil {
		return Result{}, errors.New("gateway: StepFunctions needs a Client and an ARN mapping")
	}
	out, err := x.Client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{
		StateMachineArn: aws.String(x.ARN(stateMachine)),
		Input:           aws.String(string(input)),
	})
	if err != nil {
		// The SDK's error names the operation and the service's code; it never carries the input.
		return Result{}, fmt.Errorf("start %s: %w", stateMachine, err)
	}
	return Result{
		Status: string(out.Status),
		Output: aws.ToString(out.Output),
		Error:  aws.ToString(out.Error),
		Cause:  aws.ToString(out.Cause),
	}, nil
}
